// The candidate, job and company names a pipeline template's texts may refer to, for one application.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { EmailVariables } from '../../domain/email-templates.js';

export async function applicationVariables(orm: MikroORM, companyId: string, applicationId: string): Promise<EmailVariables | undefined> {
  const [row] = await orm.em.getConnection().execute<{ candidate_name: string; job_title: string; company_name: string }[]>(
    `select c.name as candidate_name, j.title as job_title, co.name as company_name
     from application a join candidate c on c.id = a.candidate_id join job j on j.id = a.job_id
     join company co on co.id = a.company_id where a.id = ? and a.company_id = ?`,
    [applicationId, companyId],
  );
  return row && { candidateName: row.candidate_name, jobTitle: row.job_title, companyName: row.company_name };
}
