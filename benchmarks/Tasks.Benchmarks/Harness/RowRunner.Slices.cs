using System.Diagnostics;

namespace Tasks.Benchmarks.Harness;

/// <summary>The interleaved way of measuring a run (<see cref="BenchmarkOptions.Slices"/> above 1).</summary>
public sealed partial class RowRunner
{
    /// <summary>
    /// Splits <paramref name="total"/> tasks into at most <paramref name="slices"/> slices as even as whole
    /// <paramref name="unit"/>s allow (a bulk call is never split), none empty: fewer slices when there are fewer units.
    /// </summary>
    public static IReadOnlyList<int> SliceSizes(int total, int slices, int unit = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(total, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(slices, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(unit, 1);
        var units = (total + unit - 1) / unit;
        var count = Math.Min(slices, units);
        var sizes = new int[count];
        var given = 0;
        for (var i = 0; i < count - 1; i++)
        {
            sizes[i] = (int)(((long)units * (i + 1) / count) - ((long)units * i / count)) * unit;
            given += sizes[i];
        }

        // The last slice takes the rest, which is the only part that may not be a whole unit.
        sizes[count - 1] = total - given;
        return sizes;
    }

    /// <summary>
    /// Whether Tasks goes first in slice <paramref name="slice"/> of run <paramref name="run"/>: Tasks, native, native,
    /// Tasks, Tasks, native, ... so a steady drift in the machine's speed adds the same to both sides; odd runs start
    /// with native.
    /// </summary>
    public static bool TasksFirst(int run, int slice) => (run + slice) % 2 == 0;

    private static IEnumerable<T> InOrder<T>(IReadOnlyList<T> tasksThenNative, int run, int slice) =>
        TasksFirst(run, slice) ? tasksThenNative : tasksThenNative.Reverse();

    /// <summary>
    /// One run of both sides together: enqueue 1-by-1 and bulk from both sides' producers, then both sides' worker
    /// processes up at once for end to end, each measure in alternating slices whose times are added up per side; then
    /// latency and peak memory per worker, as in a block.
    /// </summary>
    private async Task MeasureSlicedAsync(RowResult result, IReadOnlyList<(SideKind Kind, IBenchmarkSide Side)> sides, int run, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var values = sides.ToDictionary(s => s.Kind, _ => new Dictionary<Metric, double>());

        // Enqueue throughput, no consumer running.
        await ResetAllAsync(sides, cancellationToken).ConfigureAwait(false);
        await TimeSlicesAsync(sides, run, values, Metric.EnqueueSingle, SliceSizes(_sizes.EnqueueSingleCount, _options.Slices), async (p, n) =>
        {
            for (var i = 0; i < n; i++)
            {
                await p.EnqueueAsync(0, cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);
        await ResetAllAsync(sides, cancellationToken).ConfigureAwait(false);
        await TimeSlicesAsync(sides, run, values, Metric.EnqueueBulk, SliceSizes(_sizes.EnqueueBulkCount, _options.Slices, _sizes.BulkBatchSize), (p, n) => Produce.BulkAsync(p, n, _sizes.BulkBatchSize, cancellationToken), cancellationToken).ConfigureAwait(false);
        await ResetAllAsync(sides, cancellationToken).ConfigureAwait(false);

        var workers = new List<(SideKind Kind, WorkerProcess Worker, IBenchmarkProducer? Producer)>();
        try
        {
            foreach (var (kind, side) in sides)
            {
                var worker = await WorkerProcess.StartAsync(_row.Name, kind, _context, StartTimeout).ConfigureAwait(false);
                try
                {
                    workers.Add((kind, worker, side.InProcessOnly ? null : await side.CreateProducerAsync(cancellationToken).ConfigureAwait(false)));
                }
                catch
                {
                    await worker.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }

            foreach (var w in workers)
            {
                await WarmUpAsync(w.Worker, w.Producer, cancellationToken).ConfigureAwait(false);
            }

            // Each slice is timed as a whole end-to-end run of its own (first enqueue to last success), on a warm worker
            // that the other side's slice has just left idle.
            WorkerMain.Collect();
            var elapsed = workers.ToDictionary(w => w.Kind, _ => 0L);
            var cpu = workers.ToDictionary(w => w.Kind, _ => TimeSpan.Zero);
            var slices = SliceSizes(_sizes.EndToEndCount, _options.Slices);
            for (var i = 0; i < slices.Count; i++)
            {
                foreach (var w in InOrder(workers, run, i))
                {
                    var cpuBefore = _cpu.Read(w.Worker);
                    var phase = await RunPhaseAsync(w.Worker, w.Producer, slices[i], latency: false, cancellationToken).ConfigureAwait(false);
                    cpu[w.Kind] += _cpu.Read(w.Worker) - cpuBefore;
                    elapsed[w.Kind] += phase.CompletedAt - phase.StartedAt;
                    Note(result, w.Kind, run, $"end-to-end slice {i + 1}", phase.Extra);
                }
            }

            foreach (var w in workers)
            {
                values[w.Kind][Metric.EndToEnd] = _sizes.EndToEndCount / Seconds(elapsed[w.Kind]);
                values[w.Kind][Metric.EndToEndCpu] = cpu[w.Kind].TotalMicroseconds / _sizes.EndToEndCount;
            }

            foreach (var w in InOrder(workers, run, 0))
            {
                await MeasureLatencyAndMemoryAsync(result, w.Kind, run, w.Worker, w.Producer, values[w.Kind], cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var w in workers)
            {
                if (w.Producer is not null)
                {
                    await w.Producer.DisposeAsync().ConfigureAwait(false);
                }

                await w.Worker.DisposeAsync().ConfigureAwait(false);
            }
        }

        await ResetAllAsync(sides, cancellationToken).ConfigureAwait(false);
        var took = Stopwatch.GetElapsedTime(started);
        foreach (var (kind, _) in sides)
        {
            await RecordAsync(result, kind, run, values[kind], took).ConfigureAwait(false);
        }
    }

    /// <summary>Times <paramref name="work"/> on both sides' producers in alternating slices; a side's rate is its tasks over its summed time.</summary>
    private static async Task TimeSlicesAsync(IReadOnlyList<(SideKind Kind, IBenchmarkSide Side)> sides, int run, Dictionary<SideKind, Dictionary<Metric, double>> values, Metric metric, IReadOnlyList<int> slices, Func<IBenchmarkProducer, int, Task> work, CancellationToken cancellationToken)
    {
        var producers = new List<(SideKind Kind, IBenchmarkProducer Producer)>();
        try
        {
            foreach (var (kind, side) in sides)
            {
                producers.Add((kind, await side.CreateProducerAsync(cancellationToken).ConfigureAwait(false)));
            }

            WorkerMain.Collect();
            var elapsed = producers.ToDictionary(p => p.Kind, _ => 0L);
            for (var i = 0; i < slices.Count; i++)
            {
                foreach (var (kind, producer) in InOrder(producers, run, i))
                {
                    var start = Stopwatch.GetTimestamp();
                    await work(producer, slices[i]).ConfigureAwait(false);
                    elapsed[kind] += Stopwatch.GetTimestamp() - start;
                }
            }

            var total = slices.Sum();
            foreach (var (kind, _) in producers)
            {
                values[kind][metric] = total / Seconds(elapsed[kind]);
            }
        }
        finally
        {
            foreach (var (_, producer) in producers)
            {
                await producer.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task ResetAllAsync(IReadOnlyList<(SideKind Kind, IBenchmarkSide Side)> sides, CancellationToken cancellationToken)
    {
        foreach (var (_, side) in sides)
        {
            await side.ResetAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
