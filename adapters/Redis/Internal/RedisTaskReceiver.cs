using System.Collections.Concurrent;
using System.Globalization;
using Tasks.Workers;

namespace Tasks.Redis.Internal;

/// <summary>
/// One worker's pull side. A single fetch loop takes, in one script call, as many tasks as there are waiting callers plus
/// the take-ahead (<see cref="RedisTaskBackendOptions.PrefetchCount"/>) not yet filled, so a slot that finishes a task
/// finds the next one at hand instead of waiting a round trip for it. Tasks held ahead are leased like running ones
/// (renewed by the heartbeat, put back on stop). When the queues are empty the loop sleeps until a wake-up message, the
/// next delayed task's due time, or the idle poll interval. A heartbeat loop renews the leases of the deliveries this
/// worker holds and reaps expired ones of any worker.
/// </summary>
internal sealed class RedisTaskReceiver : ITaskReceiver
{
    private const int MaxBatch = 64;
    private const int ReapLimit = 500;

    private readonly RedisQueueClient _client;
    private readonly string[] _queues;
    private readonly HashSet<string> _queueSet;
    private readonly string _workerId;
    private readonly string _leaseBase;
    private readonly object _gate = new();
    private readonly Queue<TaskCompletionSource<RedisTaskDelivery>> _waiters = new();
    private readonly Queue<RedisTaskDelivery> _ready = new();
    private readonly int _prefetch;
    private readonly ConcurrentDictionary<string, RedisTaskDelivery> _held = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _disposed = new();
    private TaskCompletionSource _wake = NewSignal();
    private TaskCompletionSource _heartbeatNow = NewSignal();
    private bool _fetching;
    private bool _stopped;
    private bool _started;
    private long _takes;
    private Task _heartbeat = Task.CompletedTask;
    private Task _fetch = Task.CompletedTask;

    public RedisTaskReceiver(RedisQueueClient client, IReadOnlyCollection<string> queues, string workerId, int prefetch)
    {
        _client = client;
        _prefetch = prefetch;
        _queues = queues.Distinct(StringComparer.Ordinal).ToArray();
        _queueSet = new HashSet<string>(_queues, StringComparer.Ordinal);
        _workerId = workerId;

        // Unique per receiver, so two workers given the same id never settle each other's deliveries.
        _leaseBase = $"{workerId}:{Guid.NewGuid():N}";
        Results = new RedisWorkerResultStore(client, this);
    }

    /// <summary>The result store this worker's pipeline uses.</summary>
    public RedisWorkerResultStore Results { get; }

    /// <summary>Whether this worker serves <paramref name="queue"/>.</summary>
    public bool Serves(string queue) => _queueSet.Contains(queue);

    public async Task<ITaskDelivery> ReceiveAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource<RedisTaskDelivery>? waiter = null;
        RedisTaskDelivery? delivery = null;
        lock (_gate)
        {
            if (!_started)
            {
                _started = true;
                _client.Wakeups.Add(this);
                _heartbeat = Task.Run(HeartbeatLoopAsync, CancellationToken.None);
            }

            if (!_ready.TryDequeue(out delivery))
            {
                waiter = new TaskCompletionSource<RedisTaskDelivery>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Enqueue(waiter);
            }

            // Taking one from the buffer leaves room for another: keep the take-ahead full.
            StartFetchingLocked();
        }

        if (waiter is not null)
        {
            using (cancellationToken.Register(static (state, token) => ((TaskCompletionSource<RedisTaskDelivery>)state!).TrySetCanceled(token), waiter))
            {
                delivery = await waiter.Task.ConfigureAwait(false);
            }
        }

        if (cancellationToken.IsCancellationRequested)
        {
            // Handed over just as the worker began to stop: it has not started, so it goes straight back.
            await PutBackAsync(delivery!).ConfigureAwait(false);
            throw new OperationCanceledException(cancellationToken);
        }

        return delivery!;
    }

    /// <summary>Wakes the fetch loop (its queues may have work).</summary>
    public void Wake()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _wake;
            _wake = NewSignal();
        }

        previous.TrySetResult();
    }

    /// <summary>Runs the heartbeat now (e.g. after a reconnect).</summary>
    public void HeartbeatSoon()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _heartbeatNow;
            _heartbeatNow = NewSignal();
        }

        previous.TrySetResult();
    }

    /// <summary>The delivery of <paramref name="id"/> this worker holds, if any.</summary>
    public RedisTaskDelivery? Held(string id) => _held.TryGetValue(id, out var d) ? d : null;

    /// <summary>Notes that <paramref name="delivery"/> was settled (its lease released).</summary>
    public void Settled(RedisTaskDelivery delivery)
    {
        delivery.MarkSettled();
        _held.TryRemove(new KeyValuePair<string, RedisTaskDelivery>(delivery.Envelope.Id, delivery));
    }

    /// <summary>Stops renewing the delivery of <paramref name="id"/>: a call on it failed, so the reaper will put it back.</summary>
    public void Abandoned(string id)
    {
        if (_held.TryRemove(id, out var delivery))
        {
            delivery.MarkAbandoned();
        }
    }

    /// <summary>Settles <paramref name="delivery"/>: <c>ack</c>, <c>retry</c> or <c>back</c>.</summary>
    public async Task SettleAsync(RedisTaskDelivery delivery, string mode, TaskEnvelope? next)
    {
        if (delivery.IsSettled)
        {
            return;
        }

        if (delivery.IsAbandoned)
        {
            // A call on it failed, so what the store holds is unknown (e.g. its start may not be recorded): settling it
            // now could drop a task that never finished. The reaper puts it back after the visibility timeout instead.
            return;
        }

        var id = delivery.Envelope.Id;
        try
        {
            await RedisRetry.RunAsync(() => _client.SettleAsync(id, delivery.Token, mode, next), _client.Options.VisibilityTimeout, _client.Time, CancellationToken.None).ConfigureAwait(false);
            delivery.MarkSettled();
        }
        catch (Exception ex)
        {
            RedisLog.SettleFailed(_client.Logger, ex, _client.Backend, _workerId, id);
            throw;
        }
        finally
        {
            if (mode != "ack")
            {
                Results.Forget(id);
            }

            _held.TryRemove(new KeyValuePair<string, RedisTaskDelivery>(id, delivery));
        }
    }

    public Task StopReceivingAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _stopped = true;
        }

        return PutBackUnstartedAsync();
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed.IsCancellationRequested)
            {
                return;
            }

            _disposed.Cancel();
        }

        _client.Wakeups.Remove(this);
        Wake();
        HeartbeatSoon();
        await Task.WhenAll(_fetch, _heartbeat).ConfigureAwait(false);
        FailWaiters(new ObjectDisposedException(nameof(RedisTaskReceiver)));

        await PutBackUnstartedAsync().ConfigureAwait(false);
        _disposed.Dispose();
    }

    private async Task FetchLoopAsync()
    {
        try
        {
            await _client.Wakeups.EnsureSubscribedAsync().ConfigureAwait(false);
            while (true)
            {
                int wanted;
                Task wake;
                lock (_gate)
                {
                    wanted = WantedLocked();
                    if (wanted <= 0 || _disposed.IsCancellationRequested)
                    {
                        _fetching = false;
                        return;
                    }

                    wake = _wake.Task;
                }

                RedisTakeBatch batch;
                var tokenBase = string.Create(CultureInfo.InvariantCulture, $"{_leaseBase}:{Interlocked.Increment(ref _takes)}");
                try
                {
                    batch = await _client.TakeAsync(_queues, Math.Min(wanted, MaxBatch), tokenBase).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // The callers see the error (and the worker pauses); the take may have run with its reply lost.
                    FailWaiters(RedisErrors.Translate(ex, _client.Backend, "taking a task"));
                    await ReleaseLostTakeAsync(tokenBase).ConfigureAwait(false);
                    continue;
                }

                foreach (var item in batch.Items)
                {
                    await HandOutAsync(item).ConfigureAwait(false);
                }

                if (batch.Items.Count < Math.Min(wanted, MaxBatch))
                {
                    await WaitForWorkAsync(wake, batch).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex)
        {
            lock (_gate)
            {
                _fetching = false;
            }

            FailWaiters(ex);
        }
    }

    /// <summary>
    /// Puts back whatever a failed take leased, once Redis answers again: a take whose reply was lost leased tasks nobody
    /// will run, which would otherwise wait for the reaper. The release goes out after the take on the same connection, so
    /// it sees the take's effect if the take ran at all. If Redis stays away past the visibility timeout, the reaper does it.
    /// </summary>
    private async Task ReleaseLostTakeAsync(string tokenBase)
    {
        try
        {
            var released = await RedisRetry.RunAsync(() => _client.ReleaseTakeAsync(tokenBase), _client.Options.VisibilityTimeout, _client.Time, _disposed.Token).ConfigureAwait(false);
            if (released > 0)
            {
                RedisLog.LostTakeReleased(_client.Logger, _client.Backend, _workerId, released);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || _disposed.IsCancellationRequested)
        {
            RedisLog.LostTakeNotReleased(_client.Logger, ex, _client.Backend, _workerId);
        }
    }

    private async Task HandOutAsync(RedisTakenTask item)
    {
        var delivery = await RedisTaskReader.ReadAsync(_client, item, _workerId).ConfigureAwait(false);
        if (delivery is null)
        {
            return; // unreadable: moved to the dead-letter list
        }

        var (envelope, result) = delivery.Value;
        var held = new RedisTaskDelivery(this, envelope, item.Token, result?.Version ?? -1, item.Recovered);
        _held[envelope.Id] = held;
        if (result is not null)
        {
            Results.Prefetch(result);
        }

        lock (_gate)
        {
            while (_waiters.TryDequeue(out var waiter))
            {
                if (waiter.TrySetResult(held))
                {
                    return;
                }
            }

            if (!_stopped && !_disposed.IsCancellationRequested)
            {
                _ready.Enqueue(held);
                return;
            }
        }

        // The worker is stopping: put it back at once.
        await PutBackAsync(held).ConfigureAwait(false);
    }

    /// <summary>Puts the tasks taken ahead but never started back in their queues now, not after the visibility timeout.</summary>
    private Task PutBackUnstartedAsync()
    {
        RedisTaskDelivery[] unstarted;
        lock (_gate)
        {
            unstarted = [.. _ready];
            _ready.Clear();
        }

        return unstarted.Length == 0 ? Task.CompletedTask : Task.WhenAll(unstarted.Select(PutBackAsync));
    }

    /// <summary>How many tasks the next take asks for: one per waiting caller, plus the take-ahead not yet filled.</summary>
    private int WantedLocked()
    {
        while (_waiters.Count > 0 && _waiters.Peek().Task.IsCompleted)
        {
            _waiters.Dequeue();
        }

        var waiting = _waiters.Count(w => !w.Task.IsCompleted);
        return _stopped ? waiting : waiting + Math.Max(0, _prefetch - _ready.Count);
    }

    private void StartFetchingLocked()
    {
        if (!_fetching && !_disposed.IsCancellationRequested && WantedLocked() > 0)
        {
            _fetching = true;
            _fetch = Task.Run(FetchLoopAsync, CancellationToken.None);
        }
    }

    private async Task PutBackAsync(RedisTaskDelivery delivery)
    {
        try
        {
            await SettleAsync(delivery, "back", null).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Logged by SettleAsync; no longer renewed, so the reaper puts it back after the visibility timeout.
        }
    }

    private async Task WaitForWorkAsync(Task wake, RedisTakeBatch batch)
    {
        var delay = _client.Options.IdlePollInterval;
        if (batch.NextDueMs >= 0)
        {
            var due = TimeSpan.FromMilliseconds(Math.Max(0, batch.NextDueMs - batch.ServerNowMs) + 1);
            if (due < delay)
            {
                delay = due;
            }
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        await Task.WhenAny(wake, Task.Delay(delay, _client.Time, timer.Token)).ConfigureAwait(false);
        await timer.CancelAsync().ConfigureAwait(false);
    }

    private async Task HeartbeatLoopAsync()
    {
        var interval = _client.Options.EffectiveHeartbeatInterval;
        while (!_disposed.IsCancellationRequested)
        {
            Task now;
            lock (_gate)
            {
                now = _heartbeatNow.Task;
            }

            try
            {
                long reaped;
                do
                {
                    var held = _held.Select(h => new KeyValuePair<string, string>(h.Key, h.Value.Token)).ToArray();
                    (reaped, var lost) = await _client.HeartbeatAsync(held, ReapLimit).ConfigureAwait(false);
                    foreach (var id in lost)
                    {
                        var mine = held.First(h => h.Key == id);
                        // A final write releases the lease itself; its reply may simply not have been handled yet.
                        if (_held.TryGetValue(id, out var d) && d.Token == mine.Value && !d.IsFinishing && !d.IsSettled && _held.TryRemove(new KeyValuePair<string, RedisTaskDelivery>(id, d)))
                        {
                            RedisLog.LeaseLost(_client.Logger, _client.Backend, id, _workerId, _client.Options.VisibilityTimeout);
                        }
                    }

                    if (reaped > 0)
                    {
                        RedisLog.Reaped(_client.Logger, _client.Backend, reaped);
                    }
                }
                while (reaped >= ReapLimit && !_disposed.IsCancellationRequested);
            }
            catch (Exception ex) when (!_disposed.IsCancellationRequested)
            {
                RedisLog.HeartbeatFailed(_client.Logger, ex, _client.Backend, _workerId);
            }
            catch (Exception)
            {
                return;
            }

            using var timer = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
            await Task.WhenAny(now, Task.Delay(interval, _client.Time, timer.Token)).ConfigureAwait(false);
            await timer.CancelAsync().ConfigureAwait(false);
        }
    }

    private void FailWaiters(Exception error)
    {
        lock (_gate)
        {
            while (_waiters.TryDequeue(out var waiter))
            {
                waiter.TrySetException(error);
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
