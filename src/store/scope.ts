/** The caller's data scope; every repository method takes it and puts it in its WHERE. */
export interface Scope {
  tenantId: string;
  /** Set for dealer-bound keys: they see only this dealer's records. */
  dealerId?: string | null;
}
