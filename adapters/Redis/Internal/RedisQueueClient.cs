using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Tasks.Redis.Internal;

/// <summary>
/// Everything the backend, its result store and its workers say to Redis: one method per script, so each step is one
/// round trip. Translates unreachable-server failures into <see cref="TaskBackendUnavailableException"/>.
/// </summary>
internal sealed class RedisQueueClient : IAsyncDisposable
{
    private static readonly RedisValue NewTask = "n";
    private static readonly RedisValue[] ResultFields = ["r", "e"];

    private readonly RedisKey[] _routingKey;
    private readonly RedisValue _prefixValue;
    private readonly RedisValue _visibilityMs;
    private readonly RedisValue _retentionMs;
    private readonly RedisWriteBatcher _writes;

    public RedisQueueClient(string backend, RedisTaskBackendOptions options, RedisConnection connection, ILogger logger, TimeProvider time)
    {
        Backend = backend;
        Options = options;
        Connection = connection;
        Logger = logger;
        Time = time;
        Prefix = options.Prefix;
        DeadLetterKey = $"{Prefix}:dead";
        _routingKey = [$"{Prefix}:seq"];
        _prefixValue = Prefix;
        _visibilityMs = (long)options.VisibilityTimeout.TotalMilliseconds;
        _retentionMs = (long)options.ResultRetention.TotalMilliseconds;
        _writes = new RedisWriteBatcher(connection, _routingKey, _prefixValue, _retentionMs);
        Wakeups = new RedisWakeups(connection, $"{Prefix}:wake", backend, options.IdlePollInterval, logger);
    }

    public string Backend { get; }

    public RedisTaskBackendOptions Options { get; }

    public RedisConnection Connection { get; }

    public RedisWakeups Wakeups { get; }

    public ILogger Logger { get; }

    public TimeProvider Time { get; }

    public string Prefix { get; }

    public string DeadLetterKey { get; }

    /// <summary>Key of a task's hash.</summary>
    public string TaskKey(string id) => $"{Prefix}:t:{id}";

    /// <summary>
    /// Writes envelopes and schedules them: one script call per <see cref="RedisTaskBackendOptions.EnqueueBatchSize"/>
    /// envelopes, all pipelined. <paramref name="newTasks"/>: the ids must not exist yet, and each Ready result is derived
    /// from its envelope until first updated (see <see cref="ReadResult"/>); otherwise the results exist already (dispatch).
    /// On failure it asks Redis to remove whatever may have been written and is still waiting.
    /// </summary>
    public async Task EnqueueAsync(IReadOnlyList<TaskEnvelope> envelopes, bool newTasks, CancellationToken cancellationToken)
    {
        var db = await Connection.DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var batch = Math.Max(1, Options.EnqueueBatchSize);
        var calls = new Task[(envelopes.Count + batch - 1) / batch];
        for (var c = 0; c < calls.Length; c++)
        {
            var start = c * batch;
            var count = Math.Min(batch, envelopes.Count - start);
            var args = new RedisValue[2 + (count * 5)];
            args[0] = _prefixValue;
            args[1] = newTasks ? NewTask : RedisValue.EmptyString;
            for (var i = 0; i < count; i++)
            {
                var e = envelopes[start + i];
                var b = 2 + (i * 5);
                args[b] = e.Id;
                args[b + 1] = e.Queue;
                args[b + 2] = e.Priority;
                args[b + 3] = e.RunAfter is { } at ? at.ToUnixTimeMilliseconds() : 0;
                args[b + 4] = TaskJson.SerializeToUtf8Bytes(e); // bytes: no UTF-16 string, nothing to transcode on write
            }

            calls[c] = db.ScriptEvaluateAsync(RedisScripts.Enqueue, _routingKey, args);
        }

        try
        {
            await Task.WhenAll(calls).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsDuplicate(ex))
        {
            // A refused batch wrote nothing, but other batches of the same call may have: undo those (never the refused
            // one, whose duplicate id belongs to an existing task).
            var written = new List<TaskEnvelope>();
            for (var c = 0; c < calls.Length; c++)
            {
                if (calls[c].IsCompletedSuccessfully)
                {
                    written.AddRange(envelopes.Skip(c * batch).Take(batch));
                }
            }

            ForgetQuietly(db, written, written.Count);
            throw new InvalidTaskException($"Backend '{Backend}': {ex.Message.Replace("TASKS_DUPLICATE ", string.Empty, StringComparison.Ordinal)}.", "Id", Backend, ex);
        }
        catch (Exception ex) when (RedisErrors.IsUnavailable(ex))
        {
            ForgetQuietly(db, envelopes, envelopes.Count);
            throw RedisErrors.Translate(ex, Backend, "the enqueue");
        }
    }

    /// <summary>The stored result, or <see langword="null"/>.</summary>
    public async Task<TaskResult?> FindAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            var db = await Connection.DatabaseAsync(cancellationToken).ConfigureAwait(false);
            var fields = await db.HashGetAsync(TaskKey(id), ResultFields).ConfigureAwait(false);
            return ReadResult(fields[0], fields[1]);
        }
        catch (Exception ex) when (RedisErrors.IsUnavailable(ex))
        {
            throw RedisErrors.Translate(ex, Backend, "reading the result");
        }
    }

    /// <summary>
    /// The result from its stored fields: the written result, or else the Ready result of the stored envelope (a task that
    /// was never updated keeps only its envelope); <see langword="null"/> if neither exists.
    /// </summary>
    public TaskResult? ReadResult(RedisValue result, RedisValue envelope) =>
        !result.IsNullOrEmpty ? TaskJson.DeserializeResult(result.ToString())
        : !envelope.IsNullOrEmpty ? TaskResult.ForEnqueued(TaskJson.DeserializeEnvelope(envelope.ToString()), Backend)
        : null;

    /// <summary>Compare-and-set of a result; a final status also releases <paramref name="leaseToken"/> when given.</summary>
    public async Task<bool> CompareAndSetAsync(TaskResult result, long expectedVersion, string? leaseToken)
    {
        try
        {
            return await _writes.CompareAndSetAsync(
                result.Id,
                expectedVersion.ToString(CultureInfo.InvariantCulture),
                result.Version.ToString(CultureInfo.InvariantCulture),
                TaskJson.Serialize(result),
                (int)result.Status,
                leaseToken ?? string.Empty).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsUnavailable(ex))
        {
            throw RedisErrors.Translate(ex, Backend, "updating the result");
        }
    }

    /// <summary>Creates results that must not exist yet.</summary>
    public async Task CreateAsync(IReadOnlyList<TaskResult> results)
    {
        var args = new RedisValue[1 + (results.Count * 2)];
        args[0] = _prefixValue;
        for (var i = 0; i < results.Count; i++)
        {
            args[1 + (i * 2)] = results[i].Id;
            args[2 + (i * 2)] = TaskJson.Serialize(results[i]);
        }

        try
        {
            var db = await Connection.DatabaseAsync().ConfigureAwait(false);
            await db.ScriptEvaluateAsync(RedisScripts.Create, _routingKey, args).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsDuplicate(ex))
        {
            throw new InvalidOperationException($"Backend '{Backend}': {ex.Message.Replace("TASKS_DUPLICATE ", string.Empty, StringComparison.Ordinal)}.", ex);
        }
        catch (Exception ex) when (RedisErrors.IsUnavailable(ex))
        {
            throw RedisErrors.Translate(ex, Backend, "creating the result");
        }
    }

    /// <summary>Removes tasks and their results entirely.</summary>
    public async Task DeleteAsync(IReadOnlyList<string> ids)
    {
        try
        {
            var db = await Connection.DatabaseAsync().ConfigureAwait(false);
            await db.ScriptEvaluateAsync(RedisScripts.Delete, _routingKey, DeleteArgs(ids, ids.Count)).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsUnavailable(ex))
        {
            throw RedisErrors.Translate(ex, Backend, "deleting the result");
        }
    }

    /// <summary>Takes up to <paramref name="count"/> due tasks of <paramref name="queues"/> for one delivery batch.</summary>
    public async Task<RedisTakeBatch> TakeAsync(IReadOnlyList<string> queues, int count, string tokenBase)
    {
        var args = new RedisValue[5 + queues.Count];
        args[0] = _prefixValue;
        args[1] = count;
        args[2] = _visibilityMs;
        args[3] = tokenBase;
        args[4] = 1000;
        for (var i = 0; i < queues.Count; i++)
        {
            args[5 + i] = queues[i];
        }

        var db = await Connection.DatabaseAsync().ConfigureAwait(false);
        var reply = (RedisResult[])(await db.ScriptEvaluateAsync(RedisScripts.Take, _routingKey, args).ConfigureAwait(false))!;
        var items = new RedisTakenTask[(reply.Length - 2) / 6];
        for (var i = 0; i < items.Length; i++)
        {
            var b = 2 + (i * 6);
            items[i] = new RedisTakenTask((string)reply[b]!, (string)reply[b + 1]!, (string)reply[b + 2]!, (string?)reply[b + 3] ?? string.Empty, (string)reply[b + 4]!, ((string?)reply[b + 5])?.Length > 0);
        }

        return new RedisTakeBatch((long)reply[0], (long)reply[1], items);
    }

    /// <summary>Puts back what a take with lease token base <paramref name="tokenBase"/> leased (its reply was lost); returns how many.</summary>
    public async Task<long> ReleaseTakeAsync(string tokenBase)
    {
        var db = await Connection.DatabaseAsync().ConfigureAwait(false);
        return (long)await db.ScriptEvaluateAsync(RedisScripts.ReleaseTake, _routingKey, [_prefixValue, tokenBase]).ConfigureAwait(false);
    }

    /// <summary>Settles a delivery: <c>ack</c>, <c>retry</c> (with the next envelope) or <c>back</c> (put back now).</summary>
    public Task<bool> SettleAsync(string id, string token, string mode, TaskEnvelope? next) =>
        _writes.SettleAsync(id, token, mode, next is null ? RedisValue.EmptyString : TaskJson.Serialize(next), next?.RunAfter?.ToUnixTimeMilliseconds() ?? 0);

    /// <summary>Renews the deadlines of the held deliveries and puts back expired ones; returns (reaped count, ids no longer held).</summary>
    public async Task<(long Reaped, IReadOnlyList<string> Lost)> HeartbeatAsync(IReadOnlyList<KeyValuePair<string, string>> held, int reapLimit)
    {
        var args = new RedisValue[3 + (held.Count * 2)];
        args[0] = _prefixValue;
        args[1] = _visibilityMs;
        args[2] = reapLimit;
        for (var i = 0; i < held.Count; i++)
        {
            args[3 + (i * 2)] = held[i].Key;
            args[4 + (i * 2)] = held[i].Value;
        }

        var db = await Connection.DatabaseAsync().ConfigureAwait(false);
        var reply = (RedisResult[])(await db.ScriptEvaluateAsync(RedisScripts.Heartbeat, _routingKey, args).ConfigureAwait(false))!;
        return ((long)reply[0], reply.Skip(1).Select(r => (string)r!).ToArray());
    }

    /// <summary>Moves an unreadable task to the dead-letter list and stores its Failed result, if the lease is still held.</summary>
    public async Task<bool> DeadLetterAsync(string id, string token, RedisDeadLetter entry, TaskResult failed)
    {
        var db = await Connection.DatabaseAsync().ConfigureAwait(false);
        var reply = await db.ScriptEvaluateAsync(RedisScripts.DeadLetter, _routingKey,
        [
            _prefixValue, id, token, RedisDeadLetter.Serialize(entry), TaskJson.Serialize(failed),
            failed.Version.ToString(CultureInfo.InvariantCulture), _retentionMs, Math.Max(1, Options.DeadLetterMaxLength),
        ]).ConfigureAwait(false);
        return (long)reply == 1;
    }

    /// <summary>The newest <paramref name="count"/> dead-letter entries.</summary>
    public async Task<IReadOnlyList<RedisDeadLetter>> ReadDeadLettersAsync(int count, CancellationToken cancellationToken)
    {
        try
        {
            var db = await Connection.DatabaseAsync(cancellationToken).ConfigureAwait(false);
            var entries = await db.ListRangeAsync(DeadLetterKey, 0, count - 1).ConfigureAwait(false);
            return entries.Select(e => RedisDeadLetter.Deserialize(e.ToString())).ToArray();
        }
        catch (Exception ex) when (RedisErrors.IsUnavailable(ex))
        {
            throw RedisErrors.Translate(ex, Backend, "reading the dead-letter list");
        }
    }

    /// <summary>Removes a task that is still waiting (ready or delayed) together with its result.</summary>
    public async Task<bool> RemovePendingAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            var db = await Connection.DatabaseAsync(cancellationToken).ConfigureAwait(false);
            return (long)await db.ScriptEvaluateAsync(RedisScripts.RemovePending, _routingKey, [_prefixValue, id]).ConfigureAwait(false) == 1;
        }
        catch (Exception ex) when (RedisErrors.IsUnavailable(ex))
        {
            throw RedisErrors.Translate(ex, Backend, "removing the pending task");
        }
    }

    /// <summary>
    /// The waiting tasks of <paramref name="queue"/> (or of every queue, found with SCAN), delayed ones first, then ready
    /// ones in the order they would run. Pages through the sets, so tasks taken meanwhile may be missed or seen twice.
    /// </summary>
    public async IAsyncEnumerable<TaskEnvelope> ListPendingAsync(string? queue, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const int Page = 500;
        IDatabase db;
        List<string> sets;
        try
        {
            db = await Connection.DatabaseAsync(cancellationToken).ConfigureAwait(false);
            sets = queue is null ? await FindQueueSetsAsync(cancellationToken).ConfigureAwait(false) : [$"{Prefix}:d:{queue}", $"{Prefix}:q:{queue}"];
        }
        catch (Exception ex) when (RedisErrors.IsUnavailable(ex))
        {
            throw RedisErrors.Translate(ex, Backend, "listing pending tasks");
        }

        foreach (var set in sets)
        {
            for (long start = 0; ; start += Page)
            {
                RedisValue[] envelopes;
                int count;
                try
                {
                    var ids = await db.SortedSetRangeByRankAsync(set, start, start + Page - 1).ConfigureAwait(false);
                    count = ids.Length;
                    var reads = ids.Select(id => db.HashGetAsync(TaskKey(id.ToString()), "e")).ToArray();
                    envelopes = await Task.WhenAll(reads).ConfigureAwait(false);
                }
                catch (Exception ex) when (RedisErrors.IsUnavailable(ex))
                {
                    throw RedisErrors.Translate(ex, Backend, "listing pending tasks");
                }

                foreach (var json in envelopes)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!json.IsNullOrEmpty && TryRead(json.ToString()) is { } envelope)
                    {
                        yield return envelope;
                    }
                }

                if (count < Page)
                {
                    break;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Wakeups.DisposeAsync().ConfigureAwait(false);
        await Connection.DisposeAsync().ConfigureAwait(false);
    }

    private static TaskEnvelope? TryRead(string json)
    {
        try
        {
            return TaskJson.DeserializeEnvelope(json);
        }
        catch (TaskPayloadException)
        {
            return null; // a worker moves it to the dead-letter list when it takes it
        }
    }

    private async Task<List<string>> FindQueueSetsAsync(CancellationToken cancellationToken)
    {
        var multiplexer = await Connection.MultiplexerAsync(cancellationToken).ConfigureAwait(false);
        var escaped = EscapeGlob(Prefix);
        var delayed = new SortedSet<string>(StringComparer.Ordinal);
        var ready = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var server in multiplexer.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(Options.Database ?? -1, $"{escaped}:[dq]:*", 500).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                var name = key.ToString();
                (name[Prefix.Length + 1] == 'd' ? delayed : ready).Add(name);
            }
        }

        return [.. delayed, .. ready];
    }

    private static string EscapeGlob(string text)
    {
        var sb = new System.Text.StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    private RedisValue[] DeleteArgs(IReadOnlyList<TaskEnvelope> envelopes, int count)
    {
        var args = new RedisValue[1 + count];
        args[0] = _prefixValue;
        for (var i = 0; i < count; i++)
        {
            args[1 + i] = envelopes[i].Id;
        }

        return args;
    }

    private RedisValue[] DeleteArgs(IReadOnlyList<string> ids, int count)
    {
        var args = new RedisValue[1 + count];
        args[0] = _prefixValue;
        for (var i = 0; i < count; i++)
        {
            args[1 + i] = ids[i];
        }

        return args;
    }

    /// <summary>
    /// Best-effort undo of an enqueue whose outcome is unknown (the reply was lost). Fire-and-forget: it waits in the
    /// client's backlog and runs if the connection comes back in time.
    /// </summary>
    private void ForgetQuietly(IDatabase db, IReadOnlyList<TaskEnvelope> envelopes, int count)
    {
        if (count == 0)
        {
            return;
        }

        try
        {
            db.ScriptEvaluate(RedisScripts.Delete, _routingKey, DeleteArgs(envelopes, count), CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (RedisErrors.IsUnavailable(ex))
        {
            // Nothing more can be done; the caller is told the enqueue failed.
        }
    }
}
