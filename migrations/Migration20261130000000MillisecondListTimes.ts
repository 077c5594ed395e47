import { Migration } from '@mikro-orm/migrations';

// Lists page by keyset on (time, id), and their cursors carry the time as a JavaScript Date, which holds
// milliseconds. PostgreSQL's timestamptz holds microseconds, so a row created in the same millisecond as a page's
// last row, but earlier within it, fell between the cursor and the last row and was never listed. The paged times
// are kept to the millisecond (rounded), so the cursor names exactly the stored value and ties go to the id.
const PAGED_TIMES: [table: string, column: string][] = [
  ['application', 'created_at'],
  ['candidate', 'created_at'],
  ['job', 'created_at'],
  ['task', 'created_at'],
  ['notification', 'created_at'],
  ['webhook_delivery', 'at'],
];

export class Migration20261130000000MillisecondListTimes extends Migration {
  override async up(): Promise<void> {
    for (const [table, column] of PAGED_TIMES) this.addSql(`alter table "${table}" alter column "${column}" type timestamptz(3)`);
  }

  override async down(): Promise<void> {
    for (const [table, column] of PAGED_TIMES) this.addSql(`alter table "${table}" alter column "${column}" type timestamptz`);
  }
}
