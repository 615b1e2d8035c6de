// The /max metadata makes isValid() check the digits against each region's number plan; with the default
// /min metadata isValid() only checks the length. It costs ~73 KB more minified (~21 KB gzipped).
import {
  type CountryCode,
  isSupportedCountry,
  ParseError,
  parsePhoneNumberWithError,
} from "libphonenumber-js/max";
import type { PhoneNumber } from "../change.ts";
import { accept, type RuleResult, reject } from "./problem.ts";

/** UpdateUser PhoneNumber: "6 to 15 digits". */
export const PHONE_NUMBER_MIN_DIGITS = 6;
export const PHONE_NUMBER_MAX_DIGITS = 15;
/** Longer raw input is refused before any work (a formatted E.164 number with an extension fits easily). */
export const PHONE_INPUT_CAP = 64;

export type { CountryCode };

const EXTENSION = /(?:;\s*ext=|\bext(?:ension)?\.?|\bx|#)\s*\d+\s*$/i;
/** Digits with optional separators: spaces, dashes (ASCII and Unicode), dots, parentheses; `+` only first. */
const PHONE_CHARS = /^\+?[0-9\s.()\-\u2010-\u2015\u2212]+$/;
const NON_DIGITS = /\D/g;

export function isSupportedPhoneRegion(region: string): region is CountryCode {
  return isSupportedCountry(region);
}

/**
 * Parses a phone number written in E.164, with separators, with the `00` international prefix, or in
 * national notation when `defaultRegion` is given; returns EIAM's `{ region, number }` pair.
 */
export function normalizePhone(
  raw: string,
  defaultRegion?: CountryCode,
  path = "phone",
): RuleResult<PhoneNumber> {
  if (raw.length > PHONE_INPUT_CAP) {
    return reject(
      path,
      "too_long",
      `${path} must be at most ${PHONE_INPUT_CAP} characters; got ${raw.length}`,
    );
  }
  const text = raw.trim();
  if (text.length === 0) {
    return reject(path, "empty", `${path} must not be empty; UpdateUser cannot remove a phone number`);
  }
  if (EXTENSION.test(text)) {
    return reject(path, "phone_extension", `${path} must not have an extension (EIAM stores no extensions)`);
  }
  if (!PHONE_CHARS.test(text)) {
    return reject(
      path,
      "invalid_phone",
      `${path} may contain only digits, a leading +, spaces, dashes, dots and parentheses`,
    );
  }
  const digits = text.replace(NON_DIGITS, "");
  if (digits.length === 0) return reject(path, "invalid_phone", `${path} contains no digits`);
  let international: string | undefined;
  if (text.startsWith("+")) international = `+${digits}`;
  else if (digits.startsWith("00")) international = `+${digits.slice(2)}`;
  if (international === undefined && defaultRegion === undefined) {
    return reject(
      path,
      "missing_country_code",
      `${path} is in national notation; add the country code (e.g. +86 …) or configure DEFAULT_PHONE_REGION`,
    );
  }

  let parsed: ReturnType<typeof parsePhoneNumberWithError>;
  try {
    parsed =
      international === undefined
        ? parsePhoneNumberWithError(digits, defaultRegion)
        : parsePhoneNumberWithError(international);
  } catch (error) {
    if (error instanceof ParseError)
      return reject(path, "invalid_phone", parseErrorMessage(path, error.message));
    throw error;
  }
  if (!parsed.isPossible()) {
    return reject(
      path,
      "invalid_phone",
      `${path} has the wrong number of digits for country code +${parsed.countryCallingCode}`,
    );
  }
  if (!parsed.isValid()) {
    return reject(
      path,
      "invalid_phone",
      `${path} is not a valid number in the numbering plan of country code +${parsed.countryCallingCode}`,
    );
  }
  const number = parsed.nationalNumber;
  if (number.length < PHONE_NUMBER_MIN_DIGITS || number.length > PHONE_NUMBER_MAX_DIGITS) {
    return reject(
      path,
      "invalid_phone",
      `${path}: the national number must have ${PHONE_NUMBER_MIN_DIGITS} to ${PHONE_NUMBER_MAX_DIGITS} digits (UpdateUser PhoneNumber rule); got ${number.length}`,
    );
  }
  return accept({ region: parsed.countryCallingCode, number });
}

function parseErrorMessage(path: string, reason: string): string {
  switch (reason) {
    case "INVALID_COUNTRY":
      return `${path} has an unknown country calling code`;
    case "TOO_SHORT":
      return `${path} has too few digits to be a phone number`;
    case "TOO_LONG":
      return `${path} has too many digits to be a phone number`;
    default:
      return `${path} is not a phone number`;
  }
}
