import type { UserKey } from "../change.ts";
import type { CanonicalUser } from "../events/canonical.ts";
import { presentUserKeys, userKeyCountProblem } from "../events/cross-field-rules.ts";
import { normalizeEmail } from "./email.ts";
import { type CountryCode, normalizePhone } from "./phone.ts";
import { accept, type RuleResult } from "./problem.ts";
import { normalizeUsername } from "./username.ts";

/**
 * The single key that identifies the user, normalized with the same rules as the changes
 * (an `externalId` string becomes `{ id }`).
 */
export function normalizeUserKey(
  user: CanonicalUser,
  defaultPhoneRegion?: CountryCode,
  path = "user",
): RuleResult<UserKey> {
  const countProblem = userKeyCountProblem(user, path);
  if (countProblem) return { ok: false, problem: countProblem };
  const [field] = presentUserKeys(user);
  switch (field) {
    case "email": {
      const email = normalizeEmail(user.email ?? "", `${path}.email`);
      return email.ok ? accept({ email: email.value }) : email;
    }
    case "phone": {
      const phone = normalizePhone(user.phone ?? "", defaultPhoneRegion, `${path}.phone`);
      return phone.ok ? accept({ phone: phone.value }) : phone;
    }
    case "username": {
      const username = normalizeUsername(user.username ?? "", `${path}.username`);
      return username.ok ? accept({ username: username.value }) : username;
    }
    case "externalId": {
      const externalId = user.externalId ?? "";
      return accept({ externalId: typeof externalId === "string" ? { id: externalId } : { ...externalId } });
    }
    default:
      return accept({ userId: user.userId ?? "" });
  }
}
