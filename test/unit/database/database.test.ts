// The database family's unit tests as one Jest file: its parts share one load of the SDK clients and
// the family's modules (docs/design.md, "How the suite stays fast"). Each part is a describe of its own;
// run one with `npm run jest -- test/unit/database -t '<part>'`.
import './aurora-global-database.unit.ts';
import './check.unit.ts';
import './drill-revert.unit.ts';
import './dynamodb-global-table.unit.ts';
import './fence.unit.ts';
import './handler.unit.ts';
import './rds-read-replica-drill.unit.ts';
import './rds-read-replica-failover.unit.ts';
import './rds-read-replica-readiness.unit.ts';
import './rds-read-replica-switchover.unit.ts';
import './rds-snapshot-restore.unit.ts';
