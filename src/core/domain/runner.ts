export interface Runner {
  id: string;
  organizationId: string;
  name: string;
  createdAt: Date;
}
