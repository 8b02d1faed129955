export interface ServiceAccount {
  id: string;
  organizationId: string;
  name: string;
  createdAt: Date;
}
