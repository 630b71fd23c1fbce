// Entry point of `npx ccc-verify-statement FILE --key <back-office address>` (see verify-statement.ts).
import { runVerifyCli } from './verify-statement';

process.exitCode = await runVerifyCli(process.argv.slice(2));
