import { z } from 'zod';
import { INVITABLE_ROLES, ROLES } from '../../domain/roles.js';
import { NOT_BLANK } from '../route.js';

export const email = z
  .email()
  .max(320)
  .transform((value) => value.toLowerCase());
export const password = z.string().min(8, 'at least 8 characters').max(200);
export const personName = z.string().trim().min(1).max(200).meta(NOT_BLANK);

export const userSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    companyId: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'User' });

export const createStaffUserSchema = z.strictObject({ email, password, name: personName, role: z.enum(INVITABLE_ROLES) }).meta({ id: 'CreateStaffUser' });

export function toUserView(user: { id: string; email: string; name: string; role: (typeof ROLES)[number]; company?: string | null; createdAt: Date }) {
  return { id: user.id, email: user.email, name: user.name, role: user.role, companyId: user.company ?? null, createdAt: user.createdAt.toISOString() };
}
