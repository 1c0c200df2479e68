namespace Tasks.Redis.Internal;

/// <summary>What one take script returned: the server clock, the next delayed task's due time, and the tasks taken.</summary>
/// <param name="ServerNowMs">The server's clock when the script ran (Unix ms).</param>
/// <param name="NextDueMs">When the next delayed task of the worker's queues falls due (Unix ms), or -1; only set when fewer tasks than asked were taken.</param>
/// <param name="Items">The tasks taken, best first.</param>
internal sealed record RedisTakeBatch(long ServerNowMs, long NextDueMs, IReadOnlyList<RedisTakenTask> Items);

/// <summary>One task taken for a worker, as stored (not parsed yet).</summary>
/// <param name="Id">The task id.</param>
/// <param name="Token">The lease token of this delivery.</param>
/// <param name="EnvelopeJson">The stored envelope.</param>
/// <param name="ResultJson">The stored result ('' while it is still the one derived from the envelope).</param>
/// <param name="Queue">The queue it was taken from.</param>
/// <param name="Recovered">Whether the reaper put it back before, because the worker running it died.</param>
internal sealed record RedisTakenTask(string Id, string Token, string EnvelopeJson, string ResultJson, string Queue, bool Recovered);
