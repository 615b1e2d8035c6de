import { invalidParameter } from "./errors.ts";

/** Format rules of the UpdateUser / CreateUser parameters; each failure names the field and the rule. */

const length = (value: string): number => [...value].length;

export const USERNAME_MAX_LENGTH = 256;
export const DISPLAY_NAME_MAX_LENGTH = 128;
export const EMAIL_MAX_LENGTH = 254;
export const EMAIL_LOCAL_PART_MAX_LENGTH = 64;
export const USER_EXTERNAL_ID_MAX_LENGTH = 128;
export const DESCRIPTION_MAX_LENGTH = 256;

export function checkUsername(value: string): void {
  if (value === "" || length(value) > USERNAME_MAX_LENGTH) {
    throw invalidParameter("Username", `Username must be 1 to ${USERNAME_MAX_LENGTH} characters long.`);
  }
  if (!/^[A-Za-z0-9_.@-]+$/.test(value)) {
    throw invalidParameter(
      "Username",
      "Username may contain only letters, digits and the special characters _ . @ -.",
    );
  }
}

export function checkDisplayName(value: string): void {
  if (value === "" || length(value) > DISPLAY_NAME_MAX_LENGTH) {
    throw invalidParameter(
      "DisplayName",
      `DisplayName must be 1 to ${DISPLAY_NAME_MAX_LENGTH} characters long.`,
    );
  }
}

export function checkPhoneRegion(value: string): void {
  if (!/^[1-9][0-9]{0,3}$/.test(value)) {
    throw invalidParameter(
      "PhoneRegion",
      `PhoneRegion must be the country calling code as 1 to 4 digits, without a "+" or "00" prefix (e.g. 86); got "${value}".`,
    );
  }
}

export function checkPhoneNumber(value: string): void {
  if (!/^[0-9]{6,15}$/.test(value)) {
    throw invalidParameter("PhoneNumber", `PhoneNumber must be 6 to 15 digits; got "${value}".`);
  }
}

const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function checkEmail(value: string): void {
  const at = value.lastIndexOf("@");
  const localPart = at > 0 ? value.slice(0, at) : "";
  const domain = at > 0 ? value.slice(at + 1) : "";
  if (length(value) > EMAIL_MAX_LENGTH) {
    throw invalidParameter("Email", `Email must be at most ${EMAIL_MAX_LENGTH} characters long.`);
  }
  if (localPart === "" || domain === "") {
    throw invalidParameter("Email", `Email must look like local-part@domain; got "${value}".`);
  }
  if (length(localPart) > EMAIL_LOCAL_PART_MAX_LENGTH || !/^[A-Za-z0-9._-]+$/.test(localPart)) {
    throw invalidParameter(
      "Email",
      `The local part of Email may contain only letters, digits, ".", "_" and "-" (at most ${EMAIL_LOCAL_PART_MAX_LENGTH}); got "${localPart}".`,
    );
  }
  const labels = domain.split(".");
  const topLevel = labels[labels.length - 1] ?? "";
  if (
    labels.length < 2 ||
    !labels.every((label) => DOMAIN_LABEL.test(label)) ||
    // A top-level domain is alphabetic, or an internationalized one in its ASCII (punycode) form.
    !/^([A-Za-z]{2,}|xn--[A-Za-z0-9-]{2,59})$/.test(topLevel)
  ) {
    throw invalidParameter(
      "Email",
      `The domain of Email must be a host name like example.com (letters, digits, "-", dot-separated, alphabetic or xn-- top level); got "${domain}".`,
    );
  }
}

export function checkUserExternalId(value: string): void {
  if (value === "" || length(value) > USER_EXTERNAL_ID_MAX_LENGTH) {
    throw invalidParameter(
      "UserExternalId",
      `UserExternalId must be 1 to ${USER_EXTERNAL_ID_MAX_LENGTH} characters long.`,
    );
  }
}

export function checkDescription(value: string): void {
  if (length(value) > DESCRIPTION_MAX_LENGTH) {
    throw invalidParameter(
      "Description",
      `Description must be at most ${DESCRIPTION_MAX_LENGTH} characters long.`,
    );
  }
}
