using System.Diagnostics;
using System.Globalization;

namespace Tasks.Benchmarks.Harness;

/// <summary>
/// Runs one row: both sides warmed up, then <see cref="BenchmarkOptions.Runs"/> repetitions, each a Tasks block and
/// a native block back to back (which goes first alternates, so neither always gets the warmer machine). A block
/// measures enqueue 1-by-1, enqueue bulk, then starts a worker process for end-to-end, latency and peak memory. With
/// <see cref="BenchmarkOptions.Slices"/> above 1 a run measures both sides together in alternating slices instead
/// (RowRunner.Slices.cs).
/// </summary>
public sealed partial class RowRunner
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    private readonly BenchmarkRow _row;
    private readonly SideContext _context;
    private readonly BenchmarkOptions _options;
    private readonly TextWriter _log;
    private readonly BenchmarkSizes _sizes;
    private readonly CpuMeter _cpu = new();

    /// <summary>Creates the runner.</summary>
    public RowRunner(BenchmarkRow row, SideContext context, BenchmarkOptions options, TextWriter log)
    {
        _row = row;
        _context = context;
        _options = options;
        _log = log;
        _sizes = row.Sizes(options.Mode);
    }

    /// <summary>Runs the row; failures are recorded in the result, not thrown.</summary>
    public async Task<RowResult> RunAsync(CancellationToken cancellationToken)
    {
        var result = new RowResult(_row.Name, _row.Engine, _sizes);
        var started = Stopwatch.GetTimestamp();
        try
        {
            _sizes.Validate(_row.Name);
            foreach (var server in _row.Servers)
            {
                _context.Servers.Require(server);
            }

            await using var tasks = _row.CreateTasksSide(_context);
            await using var native = _row.CreateNativeSide(_context);
            result.TasksApi = tasks?.Api;
            result.NativeApi = native.Api;
            var sides = new List<(SideKind Kind, IBenchmarkSide Side)>();
            if (tasks is not null)
            {
                sides.Add((SideKind.Tasks, tasks));
            }
            else
            {
                await _log.WriteLineAsync($"  {_row.Name}: the Tasks side is pending (no adapter registered yet): only the native side runs").ConfigureAwait(false);
            }

            sides.Add((SideKind.Native, native));
            foreach (var (kind, side) in sides)
            {
                await InitializeAsync(kind, side, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                for (var run = 0; run < _options.Runs; run++)
                {
                    if (_options.Slices > 1 && sides.Count == 2)
                    {
                        await MeasureSlicedAsync(result, sides, run, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    var order = run % 2 == 0 ? sides : Enumerable.Reverse(sides).ToList();
                    foreach (var (kind, side) in order)
                    {
                        await MeasureAsync(result, kind, side, run, cancellationToken).ConfigureAwait(false);
                    }
                }

                foreach (var note in await _row.MeasureReferencesAsync(_context, _sizes, cancellationToken).ConfigureAwait(false))
                {
                    result.Notes.Add(note);
                    await _log.WriteLineAsync($"  {_row.Name}: {note}").ConfigureAwait(false);
                }
            }
            finally
            {
                // A failed measurement skips its reset: leave nothing of this run on the shared servers.
                foreach (var (_, side) in sides)
                {
                    try
                    {
                        await side.ResetAsync(CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        await _log.WriteLineAsync($"  {_row.Name}: clean-up failed: {ex.Message}").ConfigureAwait(false);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            result.Error = Describe(ex);
            await _log.WriteLineAsync($"  {_row.Name}: FAILED: {result.Error}").ConfigureAwait(false);
        }

        await _log.WriteLineAsync($"  {_row.Name}: {(result.Error is null ? "done" : "failed")} in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s").ConfigureAwait(false);
        return result;
    }

    private async Task InitializeAsync(SideKind kind, IBenchmarkSide side, CancellationToken cancellationToken)
    {
        try
        {
            await side.InitializeAsync(cancellationToken).ConfigureAwait(false);
            await side.ResetAsync(cancellationToken).ConfigureAwait(false);

            // Warm-up of the harness process (JIT, connection pools); the worker processes warm up on their own.
            var warm = Math.Max(1, Math.Min(_sizes.EnqueueSingleCount, _sizes.WarmupCount));
            await using (var producer = await side.CreateProducerAsync(cancellationToken).ConfigureAwait(false))
            {
                for (var i = 0; i < warm; i++)
                {
                    await producer.EnqueueAsync(0, cancellationToken).ConfigureAwait(false);
                }

                await Produce.BulkAsync(producer, Math.Max(1, Math.Min(_sizes.EnqueueBulkCount, _sizes.WarmupCount)), _sizes.BulkBatchSize, cancellationToken).ConfigureAwait(false);
            }

            await side.ResetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not BenchmarkSetupException and not OperationCanceledException)
        {
            throw new InvalidOperationException($"{kind} side ({side.Api}) could not start: {ex.Message}", ex);
        }
    }

    private async Task MeasureAsync(RowResult result, SideKind kind, IBenchmarkSide side, int run, CancellationToken cancellationToken)
    {
        var blockStart = Stopwatch.GetTimestamp();
        var values = new Dictionary<Metric, double>();

        // Enqueue throughput, no consumer running.
        await side.ResetAsync(cancellationToken).ConfigureAwait(false);
        values[Metric.EnqueueSingle] = await TimeProducerAsync(side, _sizes.EnqueueSingleCount, async p =>
        {
            for (var i = 0; i < _sizes.EnqueueSingleCount; i++)
            {
                await p.EnqueueAsync(0, cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);
        await side.ResetAsync(cancellationToken).ConfigureAwait(false);
        values[Metric.EnqueueBulk] = await TimeProducerAsync(side, _sizes.EnqueueBulkCount, p => Produce.BulkAsync(p, _sizes.EnqueueBulkCount, _sizes.BulkBatchSize, cancellationToken), cancellationToken).ConfigureAwait(false);
        await side.ResetAsync(cancellationToken).ConfigureAwait(false);

        // One worker process: warm-up, end-to-end, latency, then its peak memory.
        await using (var worker = await WorkerProcess.StartAsync(_row.Name, kind, _context, StartTimeout).ConfigureAwait(false))
        {
            var producer = side.InProcessOnly ? null : await side.CreateProducerAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await WarmUpAsync(worker, producer, cancellationToken).ConfigureAwait(false);
                WorkerMain.Collect();
                var cpuBefore = _cpu.Read(worker);
                var e2e = await RunPhaseAsync(worker, producer, _sizes.EndToEndCount, latency: false, cancellationToken).ConfigureAwait(false);
                values[Metric.EndToEndCpu] = (_cpu.Read(worker) - cpuBefore).TotalMicroseconds / _sizes.EndToEndCount;
                values[Metric.EndToEnd] = _sizes.EndToEndCount / Seconds(e2e.CompletedAt - e2e.StartedAt);
                Note(result, kind, run, "end-to-end", e2e.Extra);
                await MeasureLatencyAndMemoryAsync(result, kind, run, worker, producer, values, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (producer is not null)
                {
                    await producer.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        await side.ResetAsync(cancellationToken).ConfigureAwait(false);
        await RecordAsync(result, kind, run, values, Stopwatch.GetElapsedTime(blockStart)).ConfigureAwait(false);
    }

    /// <summary>Adds one side's values of one run to the result and logs them.</summary>
    private async Task RecordAsync(RowResult result, SideKind kind, int run, Dictionary<Metric, double> values, TimeSpan took)
    {
        foreach (var (metric, value) in values)
        {
            result.Samples.Add(new Sample(_row.Name, kind, run, metric, value));
        }

        await _log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  {_row.Name,-12} run {run + 1}/{_options.Runs} {kind,-6}  1-by-1 {values[Metric.EnqueueSingle],9:N0}/s  bulk {values[Metric.EnqueueBulk],10:N0}/s  e2e {values[Metric.EndToEnd],9:N0}/s  cpu {values[Metric.EndToEndCpu],7:N0} us/task  p50 {values[Metric.LatencyP50],7:0.00} ms  p99 {values[Metric.LatencyP99],7:0.00} ms  peak {values[Metric.PeakWorkerMemory],6:0} MiB  ({took.TotalSeconds:0.0} s)")).ConfigureAwait(false);
    }

    private async Task WarmUpAsync(WorkerProcess worker, IBenchmarkProducer? producer, CancellationToken cancellationToken)
    {
        if (_sizes.WarmupCount == 0)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        do
        {
            await RunPhaseAsync(worker, producer, _sizes.WarmupCount, latency: false, cancellationToken).ConfigureAwait(false);
        }
        while (Stopwatch.GetElapsedTime(started) < _sizes.MinimumWarmup);
    }

    /// <summary>The latency run on a warm worker, then the worker's peak memory.</summary>
    private async Task MeasureLatencyAndMemoryAsync(RowResult result, SideKind kind, int run, WorkerProcess worker, IBenchmarkProducer? producer, Dictionary<Metric, double> values, CancellationToken cancellationToken)
    {
        var lat = await RunPhaseAsync(worker, producer, _sizes.LatencyCount, latency: true, cancellationToken).ConfigureAwait(false);
        if (lat.Samples < _sizes.LatencyCount)
        {
            throw new InvalidOperationException($"{kind} side: only {lat.Samples} of {_sizes.LatencyCount} tasks reported their start time (does its consumer call WorkCounter.Started with the task's sent value?)");
        }

        values[Metric.LatencyP50] = Seconds(lat.P50) * 1000;
        values[Metric.LatencyP99] = Seconds(lat.P99) * 1000;
        Note(result, kind, run, "latency", lat.Extra);

        var stats = await worker.SendAsync("stats", TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        values[Metric.PeakWorkerMemory] = WorkerProtocol.ParseNum(stats[0]) / (1024.0 * 1024.0);
    }

    private static async Task<double> TimeProducerAsync(IBenchmarkSide side, int count, Func<IBenchmarkProducer, Task> work, CancellationToken cancellationToken)
    {
        await using var producer = await side.CreateProducerAsync(cancellationToken).ConfigureAwait(false);
        WorkerMain.Collect();
        var start = Stopwatch.GetTimestamp();
        await work(producer).ConfigureAwait(false);
        return count / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>Arms the worker for <paramref name="count"/> tasks, enqueues them (here, or in the worker for in-process sides), and waits until all succeeded.</summary>
    private async Task<PhaseReport> RunPhaseAsync(WorkerProcess worker, IBenchmarkProducer? producer, int count, bool latency, CancellationToken cancellationToken)
    {
        var timeout = latency
            ? TimeSpan.FromSeconds(60 + ((double)count / _sizes.LatencyRate))
            : TimeSpan.FromSeconds(60) + (count * TimeSpan.FromMilliseconds(5));
        await worker.SendAsync($"arm {count} {(latency ? 1 : 0)}", TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        var start = Stopwatch.GetTimestamp();
        if (producer is null)
        {
            var command = latency ? $"produce-steady {count} {_sizes.LatencyRate}" : $"produce-bulk {count} {_sizes.BulkBatchSize}";
            await worker.SendAsync(command, timeout).ConfigureAwait(false);
        }
        else if (latency)
        {
            await Produce.SteadyAsync(producer, count, _sizes.LatencyRate, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await Produce.BulkAsync(producer, count, _sizes.BulkBatchSize, cancellationToken).ConfigureAwait(false);
        }

        var r = await worker.SendAsync($"wait {(long)timeout.TotalMilliseconds}", timeout + TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        var n = r.Select(WorkerProtocol.ParseNum).ToArray();
        return new PhaseReport(start, n[0], (int)n[1], (int)n[2], n[3], n[4]);
    }

    private static void Note(RowResult result, SideKind kind, int run, string phase, int extra)
    {
        if (extra > 0)
        {
            result.Notes.Add($"{kind} side, run {run + 1}, {phase}: {extra} task(s) succeeded more than once (duplicate deliveries)");
        }
    }

    private static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    private string Describe(Exception ex)
    {
        var message = ex is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0].Message : ex.Message;
        if (ex is BenchmarkSetupException || _row.Servers.Count == 0 || message.Contains("scripts/servers.sh", StringComparison.Ordinal))
        {
            return message;
        }

        var variables = string.Join(", ", _row.Servers.Select(BenchmarkServers.VariableOf));
        return $"{message} (this row needs {string.Join(", ", _row.Servers)} via {variables}; if a server is down: {BenchmarkServers.StartHint})";
    }

    private sealed record PhaseReport(long StartedAt, long CompletedAt, int Extra, int Samples, long P50, long P99);
}
