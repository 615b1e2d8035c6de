import { missingParameter } from "./errors.ts";
import { readBoolean, readString } from "./param-readers.ts";
import type { ParamObject } from "./params.ts";
import { checkEmail, checkPhoneNumber, checkPhoneRegion } from "./user-rules.ts";

/** Email and phone parameters of CreateUser / UpdateUser, validated, with their "required together" rules. */
export interface ContactParams {
  email?: string;
  emailVerified?: boolean;
  phoneRegion?: string;
  phoneNumber?: string;
  phoneNumberVerified?: boolean;
}

export function readContactParams(params: ParamObject): ContactParams {
  const phoneRegion = readString(params, "PhoneRegion");
  const phoneNumber = readString(params, "PhoneNumber");
  const phoneNumberVerified = readBoolean(params, "PhoneNumberVerified");
  const email = readString(params, "Email");
  const emailVerified = readBoolean(params, "EmailVerified");

  if (phoneRegion !== undefined) checkPhoneRegion(phoneRegion);
  if (phoneNumber !== undefined) {
    checkPhoneNumber(phoneNumber);
    if (phoneRegion === undefined) {
      throw missingParameter("PhoneRegion", "PhoneRegion is required when PhoneNumber is specified.");
    }
    if (phoneNumberVerified === undefined) {
      throw missingParameter(
        "PhoneNumberVerified",
        "PhoneNumberVerified is required when PhoneNumber is specified.",
      );
    }
  }
  if (email !== undefined) {
    checkEmail(email);
    if (emailVerified === undefined) {
      throw missingParameter("EmailVerified", "EmailVerified is required when Email is specified.");
    }
  }
  return {
    ...(email !== undefined ? { email } : {}),
    ...(emailVerified !== undefined ? { emailVerified } : {}),
    ...(phoneRegion !== undefined ? { phoneRegion } : {}),
    ...(phoneNumber !== undefined ? { phoneNumber } : {}),
    ...(phoneNumberVerified !== undefined ? { phoneNumberVerified } : {}),
  };
}
