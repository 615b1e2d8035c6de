/** Looking for secrets and personal data in text the function wrote: by every spelling that would reveal them. */

export interface Needle {
  label: string;
  text: string;
}

/** A secret, plus a long slice of it (a secret cut short or wrapped is still a leak). */
export function secretNeedles(secrets: Record<string, string>): Needle[] {
  return Object.entries(secrets).flatMap(([label, secret]) => {
    const needles = [{ label, text: secret }];
    if (secret.startsWith("whsec_")) needles.push({ label: `${label} (base64 part)`, text: secret.slice(6) });
    if (secret.length >= 32) needles.push({ label: `${label} (middle slice)`, text: secret.slice(8, 32) });
    return needles;
  });
}

/** The whole address and its local part with the @: a masked address shows only the first character. */
export function emailNeedles(emails: readonly string[]): Needle[] {
  return emails.flatMap((email) => {
    const local = email.slice(0, email.lastIndexOf("@") + 1);
    return [
      { label: `email ${email}`, text: email.toLowerCase() },
      { label: `local part of ${email}`, text: local.toLowerCase() },
    ];
  });
}

/** The national number, its last seven digits, and the number as it was written: a masked one shows four. */
export function phoneNeedles(phones: ReadonlyArray<{ input: string; national: string }>): Needle[] {
  return phones.flatMap(({ input, national }) => [
    { label: `phone ${input}`, text: input.toLowerCase() },
    { label: `national number of ${input}`, text: national },
    { label: `last seven digits of ${input}`, text: national.slice(-7) },
  ]);
}

/** Labels of the needles found in the text, compared without regard to case. */
export function findLeaks(text: string, needles: readonly Needle[]): string[] {
  const haystack = text.toLowerCase();
  return needles.filter((n) => haystack.includes(n.text.toLowerCase())).map((n) => n.label);
}
