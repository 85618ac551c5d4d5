/**
 * The task ledger: one home for the task lifecycle (stored, queued, claimed, recorded, consumed,
 * put back), behind {@link dev.crew.common.ledger.TaskLedger}.
 *
 * <h2>Records</h2>
 *
 * Consecutive tasks of a job are kept together in a block ({@code TaskBlock}, up to {@link
 * dev.crew.common.ledger.LedgerLayout#blockSize()} tasks): one map entry holding each task's {@link
 * dev.crew.common.ledger.TaskState}. A task's claim and its result are fields of its slot, not
 * records of their own. Every move on a block (add, claim, renew, record, consume, put back) is one
 * call that reads and writes the block atomically (an entry processor in the cluster), never a read
 * followed by a write, and never a {@code putAll}.
 *
 * <h2>Rules</h2>
 *
 * <ol>
 *   <li><b>A claim</b> is a worker's promise to run a task and record its result before a deadline
 *       its renewals move on. It is not a lock: a claim only decides who is handed the task. A
 *       queued task is handed to one claim at a time; a claimed task to none.
 *   <li><b>A task is lost</b>, and queued again as its next attempt, when the member holding its
 *       claim leaves the cluster or goes silent ({@link dev.crew.common.ledger.Loss.MemberLeft}, or
 *       {@link dev.crew.common.ledger.Loss.Departed} for every member no longer in the cluster:
 *       every such claim, in every block, at once), or when its holder finds a claim of its own
 *       past its deadline on a task it does not run ({@link
 *       dev.crew.common.ledger.Loss.ClaimsExpired}: a claim whose answer never reached it). Silence
 *       is judged by the members' heartbeats, on the judge's own clock; a deadline is only compared
 *       by the member that set it, so hosts' clocks need not agree.
 *   <li><b>Handed back</b>: a holder that will not run a task it claimed (another worker offers its
 *       task, or its job waits for its results to be read) releases the claim; the task is queued
 *       again as the same attempt. What a worker holds, hands back and lets go is {@link
 *       dev.crew.common.ledger.HeldClaims}.
 *   <li><b>Forgotten</b>: the blocks of a job nobody waits for (gone from the jobs map, cancelled
 *       or refused: {@link dev.crew.common.ledger.HeldClaims#awaited}) are deleted, by whoever
 *       finds it so first: the canceller, a worker handed one of its tasks, or the audit.
 *   <li><b>Recorded once</b>: the first result for a task is kept, whatever state the task was in
 *       but recorded or consumed; any later result for it is a duplicate, reported to its sender
 *       and dropped. Execution is at least once, recording exactly once.
 *   <li><b>A late record after a put back</b> (the holder was only slow, or cut off) is still the
 *       first result if it arrives before the new claimer's: it is kept, and the new claimer's
 *       result is the duplicate. If it arrives while the task is queued again, it is kept and the
 *       task is not handed out again.
 *   <li><b>Consumed</b>: the submitter reads recorded results in batches ({@code pending}, which
 *       changes nothing), hands them on, then settles them; each is handed over once, and only its
 *       counts stay, so a job's blocks shrink to counts as it goes. A submitter that dies before it
 *       settles finds the same results again when it resumes.
 *   <li><b>Pipelines</b>: a job of several stages keeps one slot per task, which moves from stage
 *       to stage. A result of a stage before the last is recorded together with the task of the
 *       next stage its worker made from it (the values as items, failed items carrying their
 *       errors): the slot becomes that task, queued on its stage's lane, in the same atomic move,
 *       so a result is handed on exactly when it is recorded. The first result of a task at its
 *       current stage wins; a result of a stage the task has passed is a duplicate, dropped with
 *       its next task. Claims are put back at the stage they hold, and only the last stage's
 *       results are recorded for the submitter to read.
 * </ol>
 *
 * <h2>Lanes</h2>
 *
 * Which blocks have queued tasks is known through lane shards: several bounded queues per lane
 * carrying block keys, each on the partition of its blocks. A claimer takes a key from the shards
 * its member owns first, then from the others, claims up to what it asked for with one call on the
 * block, and offers the key back, to the back of its shard, when the block still has queued tasks.
 * Its next claim starts at the next shard: claims take turns among the blocks with queued tasks, so
 * among jobs. A key may be in a shard more than once, or stale; a claim on a block with nothing
 * queued just returns nothing.
 *
 * <h2>A claimer killed at each step</h2>
 *
 * <ul>
 *   <li><b>After its poll, before its claim:</b> the block's key is in no shard, its tasks are
 *       queued. The audit finds it (two audits in a row, so a key merely in flight is not offered
 *       twice) and offers it again; after a member leaves, the oldest member audits at each of its
 *       checks, so that comes within about a second. Nothing was claimed, so nothing runs twice.
 *   <li><b>After its claim, before offering the key back:</b> its claims are put back when its
 *       member leaves (that put back offers the block's key), and the block's other queued tasks
 *       are found by the same audit.
 *   <li><b>Mid-record:</b> each block's record is atomic, so a block is either recorded or not. The
 *       tasks not recorded are still claimed by the dead member and are put back; a result that did
 *       reach its block is kept, and a second run of that task is a reported duplicate.
 *   <li><b>A submitter killed after storing, before offering:</b> as after a poll, the audit offers
 *       the block.
 * </ul>
 */
@NullMarked
package dev.crew.common.ledger;

import org.jspecify.annotations.NullMarked;
