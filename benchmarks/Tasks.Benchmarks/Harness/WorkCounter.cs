using System.Diagnostics;

namespace Tasks.Benchmarks.Harness;

/// <summary>
/// Counts the tasks a worker process ran, for one measurement at a time (<see cref="Arm"/>): when the expected
/// number have succeeded it records the instant, and it keeps each task's enqueue-to-start latency. Thread-safe;
/// called from the consumer's threads.
/// </summary>
public sealed class WorkCounter
{
    private readonly object _gate = new();
    private Phase _phase = new(0, null);

    /// <summary>Tasks that succeeded in the current measurement.</summary>
    public int SucceededCount => Volatile.Read(ref _phase).Done;

    /// <summary>Starts a measurement that expects <paramref name="expected"/> successes; with <paramref name="recordLatency"/> it keeps up to that many latencies.</summary>
    public void Arm(int expected, bool recordLatency)
    {
        lock (_gate)
        {
            Volatile.Write(ref _phase, new Phase(expected, recordLatency ? new long[expected] : null));
        }
    }

    /// <summary>A handler started; <paramref name="sent"/> is the timestamp the task carried (0: none).</summary>
    public void Started(long sent)
    {
        var now = Stopwatch.GetTimestamp();
        var phase = Volatile.Read(ref _phase);
        if (sent != 0 && phase.Latencies is { } latencies)
        {
            var i = Interlocked.Increment(ref phase.LatencyCount) - 1;
            if (i < latencies.Length)
            {
                latencies[i] = now - sent;
            }
        }
    }

    /// <summary>A task reached the engine's succeeded state.</summary>
    public void Succeeded()
    {
        var phase = Volatile.Read(ref _phase);
        var done = Interlocked.Increment(ref phase.Done);
        if (done == phase.Expected)
        {
            phase.CompletedAt = Stopwatch.GetTimestamp();
            phase.Completion.TrySetResult();
        }
    }

    /// <summary>A task failed: the measurement is void.</summary>
    public void Failed(string reason)
    {
        var phase = Volatile.Read(ref _phase);
        phase.Completion.TrySetException(new InvalidOperationException($"A benchmark task failed: {reason}"));
    }

    /// <summary>Waits for the expected successes and reports them.</summary>
    /// <exception cref="TimeoutException">They did not all succeed in time.</exception>
    public async Task<WorkReport> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var phase = Volatile.Read(ref _phase);
        try
        {
            await phase.Completion.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"only {phase.Done} of {phase.Expected} tasks succeeded within {timeout.TotalSeconds:0} s");
        }

        // Successes beyond the expected number (duplicates) may still be on their way; give them a moment.
        await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        var latencies = phase.Latencies is { } l ? l.AsSpan(0, Math.Min(phase.LatencyCount, l.Length)).ToArray() : [];
        return new WorkReport(phase.CompletedAt, phase.Done - phase.Expected, latencies);
    }

    private sealed class Phase(int expected, long[]? latencies)
    {
        public readonly int Expected = expected;
        public readonly long[]? Latencies = latencies;
        public readonly TaskCompletionSource Completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Done;
        public int LatencyCount;
        public long CompletedAt;
    }
}

/// <summary>What a worker reports for one measurement.</summary>
/// <param name="CompletedAt">The <see cref="Stopwatch"/> timestamp of the last expected success (the clock is the machine's monotonic clock, shared by the harness and its worker processes).</param>
/// <param name="Extra">Successes beyond the expected number (duplicate deliveries).</param>
/// <param name="LatencyTicks">Enqueue-to-start latencies in <see cref="Stopwatch"/> ticks.</param>
public sealed record WorkReport(long CompletedAt, int Extra, long[] LatencyTicks);
