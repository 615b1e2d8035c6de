/** Proof that nothing polluted the built-in prototypes: every own property, by name and by identity. */
const GUARDED = [Object.prototype, Array.prototype, Function.prototype, String.prototype] as const;

type Snapshot = Array<Map<string | symbol, unknown>>;

function snapshot(): Snapshot {
  return GUARDED.map(
    (proto) =>
      new Map(
        Reflect.ownKeys(proto).map((key) => {
          const descriptor = Object.getOwnPropertyDescriptor(proto, key);
          return [key, descriptor?.value ?? descriptor?.get];
        }),
      ),
  );
}

const PRISTINE = snapshot();

/** The names of anything added to, removed from or replaced on a built-in prototype; empty when pristine. */
export function prototypeChanges(): string[] {
  const now = snapshot();
  const changes: string[] = [];
  if (({} as Record<string, unknown>).polluted !== undefined) changes.push("({}).polluted is defined");
  GUARDED.forEach((_, i) => {
    const before = PRISTINE[i]!;
    const after = now[i]!;
    for (const [key, value] of after) {
      if (!before.has(key) || before.get(key) !== value) changes.push(`prototype ${i}: ${String(key)}`);
    }
    for (const key of before.keys())
      if (!after.has(key)) changes.push(`prototype ${i}: ${String(key)} removed`);
  });
  return changes;
}
