// Package ops is what an operator can do to the gateway: the command grammar
// shared by runbooks, the palette and `gatewayops run`; the action registry
// with typed parameter schemas; plan -> confirm -> apply -> verify with a
// safety policy per environment; the append-only journal; the config file.
//
// ops imports alarms, gateway and runbooks; none of them imports ops.
//
// Decisions where the design is silent:
//
//   - Reads are journaled too (intent and result), so an incident timeline
//     shows what the operator looked at, not only what they changed.
//   - A write whose plan changes nothing (breaker already closed, flag
//     already set) is not applied: the Runner skips Apply and still verifies;
//     `gatewayops run` prints the plan and exits 0 without asking to confirm.
//   - A refused write is journaled as a single result line with outcome
//     "refused": nothing ran, so no intent is left open.
//   - A write whose ECS rollout was detached from (Ctrl-C in `run`) is
//     journaled with outcome "in progress", not "failed": the write was made
//     and ECS goes on with it; `run` exits 4 (decision 56).
//   - reservations.drain plans from a dry-run drain. A protected admin server
//     treats even a dry run as a write (it needs X-Confirm-Environment, which
//     may only go out after confirmation), so there the plan comes from the
//     read-only summary and says "up to".
//   - The pool-claim preflight fails without proof of zero mismatches. Missing
//     PoolClaimReject data is a note, not a failure: in warn mode nothing
//     rejects, and the graduation check is about mismatches.
//   - `gatewayops run --confirm NAME --reason TEXT` arms a protected
//     environment for 10 minutes inside that one process; the reason is
//     journaled with the write.
//   - Idempotency: one key per intended write, made at plan time and carried
//     to apply. A dry run and a verifying dry run are their own requests and
//     get their own keys. CloudWatch mutes have no key; the rule is named after
//     the alarm, so a retried mute replaces the same rule.
package ops
