/**
 * The cold-start yardstick: a bundle of only the three dependencies the function cannot do without
 * (the EIAM SDK, zod, libphonenumber-js with the same /max metadata the function uses), each one really used,
 * so that the bundler keeps it. Built by the benchmark with the options of scripts/build.mjs.
 */
import OpenApiModule, { Config } from "@alicloud/openapi-client";
import { parsePhoneNumberWithError } from "libphonenumber-js/max";
import * as z from "zod";

function commonJsDefault<T>(mod: { default: T }): T {
  return (mod as { default?: T }).default ?? (mod as unknown as T);
}
const OpenApiClient = commonJsDefault(OpenApiModule);

const EventSchema = z.object({ id: z.string().min(1), phone: z.string().max(64) });

export async function handler(event: Buffer): Promise<{ phone: string; endpoint: string }> {
  const parsed = EventSchema.parse(JSON.parse(event.toString("utf8")));
  const phone = parsePhoneNumberWithError(parsed.phone);
  const client = new OpenApiClient(
    new Config({ accessKeyId: "id", accessKeySecret: "secret", endpoint: "127.0.0.1:1", protocol: "http" }),
  );
  return { phone: phone.number, endpoint: String(client._endpoint) };
}
