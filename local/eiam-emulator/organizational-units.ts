import { newEntityId, rootOrganizationalUnitId } from "./users.ts";

/** One organizational unit as the emulator keeps it (camelCase; ListOrganizationalUnits builds the API view). */
export interface EmulatorOrganizationalUnit {
  organizationalUnitId: string;
  instanceId: string;
  name: string;
  externalId: string;
  /** Absent for the root. */
  parentId?: string;
  createTime: number;
}

/** An OU to pre-load. The parent defaults to the instance's root OU. */
export interface SeedOrganizationalUnit {
  organizationalUnitId?: string;
  instanceId?: string;
  name: string;
  externalId?: string;
  parentId?: string;
}

/** The OUs of every instance, in creation order; each instance has its root OU, named after the instance. */
export class OrganizationalUnitCatalog {
  private readonly units = new Map<string, EmulatorOrganizationalUnit>();

  constructor(private readonly now: () => number) {}

  addRoot(instanceId: string): void {
    const id = rootOrganizationalUnitId(instanceId);
    this.units.set(id, {
      organizationalUnitId: id,
      instanceId,
      name: instanceId,
      externalId: id,
      createTime: this.now(),
    });
  }

  /** Throws an Error naming the field for a bad seed (admin API answers 400). */
  add(seed: SeedOrganizationalUnit, instanceId: string): EmulatorOrganizationalUnit {
    const id = seed.organizationalUnitId ?? newEntityId("ou_");
    if (this.units.has(id)) throw new Error(`organizational unit "${id}" already exists.`);
    if (typeof seed.name !== "string" || seed.name === "")
      throw new Error("organizationalUnit.name is required.");
    const parentId = seed.parentId ?? rootOrganizationalUnitId(instanceId);
    const parent = this.units.get(parentId);
    if (parent === undefined || parent.instanceId !== instanceId) {
      throw new Error(
        `organizationalUnit.parentId "${parentId}" is not an organizational unit of ${instanceId}.`,
      );
    }
    const externalId = seed.externalId ?? id;
    for (const unit of this.units.values()) {
      if (unit.instanceId !== instanceId) continue;
      if (unit.externalId === externalId)
        throw new Error(`organizationalUnit.externalId "${externalId}" is taken.`);
      if (unit.parentId === parentId && unit.name === seed.name) {
        throw new Error(`organizationalUnit.name "${seed.name}" is taken under ${parentId}.`);
      }
    }
    const unit: EmulatorOrganizationalUnit = {
      organizationalUnitId: id,
      instanceId,
      name: seed.name,
      externalId,
      parentId,
      createTime: this.now(),
    };
    this.units.set(id, unit);
    return { ...unit };
  }

  get(instanceId: string, id: string): EmulatorOrganizationalUnit | undefined {
    const unit = this.units.get(id);
    return unit !== undefined && unit.instanceId === instanceId ? { ...unit } : undefined;
  }

  list(): EmulatorOrganizationalUnit[] {
    return [...this.units.values()].map((unit) => ({ ...unit }));
  }

  isLeaf(id: string): boolean {
    for (const unit of this.units.values()) if (unit.parentId === id) return false;
    return true;
  }

  clear(): void {
    this.units.clear();
  }
}
