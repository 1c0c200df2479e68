namespace Tasks.Benchmarks.Harness;

/// <summary>
/// How many tasks each measurement uses. A row overrides <see cref="BenchmarkRow.Sizes"/> when its engine is slower
/// (fewer tasks) or faster; the end-to-end N is printed in the table.
/// </summary>
public sealed record BenchmarkSizes
{
    /// <summary>Tasks enqueued one by one (each awaited) for the enqueue-single figure.</summary>
    public int EnqueueSingleCount { get; init; }

    /// <summary>Tasks enqueued in bulk calls for the enqueue-bulk figure.</summary>
    public int EnqueueBulkCount { get; init; }

    /// <summary>Tasks per bulk call (enqueue-bulk and end-to-end).</summary>
    public int BulkBatchSize { get; init; }

    /// <summary>Tasks run untimed in each new worker process before the timed end-to-end run (JIT, connections, caches).</summary>
    public int WarmupCount { get; init; }

    /// <summary>
    /// The least time a new worker process spends on warm-up tasks: it runs blocks of <see cref="WarmupCount"/> until
    /// this much time has passed. The runtime compiles hot methods again, optimized, only after they have run for a while
    /// (tiered compilation), so a warm-up of a fixed count that a fast engine finishes in a fraction of a second left
    /// part of the timed run on unoptimized code, more of it on the side with more code (Tasks).
    /// </summary>
    public TimeSpan MinimumWarmup { get; init; }

    /// <summary>N of the end-to-end run: enqueued in bulk calls while the worker runs; timed until the N-th succeeded.</summary>
    public int EndToEndCount { get; init; }

    /// <summary>Tasks enqueued one by one at <see cref="LatencyRate"/> for the latency percentiles.</summary>
    public int LatencyCount { get; init; }

    /// <summary>Tasks per second of the latency run: steady and moderate, far below every engine's throughput.</summary>
    public int LatencyRate { get; init; }

    /// <summary>The sizes of <paramref name="mode"/> for a fast engine (Redis, in-memory).</summary>
    public static BenchmarkSizes Default(BenchmarkMode mode) => mode switch
    {
        BenchmarkMode.Quick => new BenchmarkSizes
        {
            EnqueueSingleCount = 200,
            EnqueueBulkCount = 1_000,
            BulkBatchSize = 250,
            WarmupCount = 100,
            EndToEndCount = 1_000,
            LatencyCount = 100,
            LatencyRate = 200,
        },
        _ => new BenchmarkSizes
        {
            EnqueueSingleCount = 20_000,
            EnqueueBulkCount = 100_000,
            BulkBatchSize = 1_000,
            WarmupCount = 2_000,
            MinimumWarmup = TimeSpan.FromSeconds(5),
            EndToEndCount = 100_000,
            LatencyCount = 2_000,
            LatencyRate = 200,
        },
    };

    /// <summary>Throws if a size is out of range, naming the row.</summary>
    public void Validate(string row)
    {
        if (EnqueueSingleCount < 1 || EnqueueBulkCount < 1 || BulkBatchSize < 1 || WarmupCount < 0 || MinimumWarmup < TimeSpan.Zero || (MinimumWarmup > TimeSpan.Zero && WarmupCount < 1) || EndToEndCount < 1 || LatencyCount < 1 || LatencyRate < 1)
        {
            throw new BenchmarkSetupException($"Row '{row}' has invalid sizes: {this}");
        }
    }
}
