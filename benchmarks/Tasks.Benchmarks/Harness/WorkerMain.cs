using System.Diagnostics;
using Tasks.Benchmarks.Rows;

namespace Tasks.Benchmarks.Harness;

/// <summary>
/// The worker process: <c>Tasks.Benchmarks worker &lt;row&gt; &lt;tasks|native&gt; &lt;run id&gt; &lt;concurrency&gt; &lt;quick|full&gt;</c>.
/// Runs one side's consumer and answers the harness's commands (<see cref="WorkerProtocol"/>) until told to exit
/// or its standard input closes.
/// </summary>
public static class WorkerMain
{
    /// <summary>Runs the worker; the exit code is 0 unless it failed.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var stdout = Console.Out;
        try
        {
            if (args.Length != 6)
            {
                throw new BenchmarkSetupException($"usage: {WorkerProtocol.Verb} <row> <tasks|native> <run id> <concurrency> <quick|full>");
            }

            var row = BenchmarkRows.Find(args[1]) ?? throw new BenchmarkSetupException($"No row named '{args[1]}'.");
            var kind = Enum.Parse<SideKind>(args[2], ignoreCase: true);
            var mode = Enum.Parse<BenchmarkMode>(args[5], ignoreCase: true);
            var context = new SideContext(args[3], BenchmarkServers.FromEnvironment(), int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture), mode, InWorkerProcess: true);
            await using var side = row.CreateSide(kind, context) ?? throw new BenchmarkSetupException($"Row '{row.Name}' has no {kind} side.");
            await side.InitializeAsync(CancellationToken.None).ConfigureAwait(false);
            var counter = new WorkCounter();
            var consumer = await side.StartConsumerAsync(counter, CancellationToken.None).ConfigureAwait(false);
            try
            {
                IBenchmarkProducer? producer = side.InProcessOnly ? await side.CreateProducerAsync(CancellationToken.None).ConfigureAwait(false) : null;
                await ReplyAsync(stdout, "ready").ConfigureAwait(false);
                while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } line)
                {
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length == 0)
                    {
                        continue;
                    }

                    try
                    {
                        var reply = await HandleAsync(parts, counter, producer).ConfigureAwait(false);
                        await ReplyAsync(stdout, reply is null ? "ok" : "ok " + reply).ConfigureAwait(false);
                        if (parts[0] == "exit")
                        {
                            break;
                        }
                    }
                    catch (Exception ex)
                    {
                        await ReplyAsync(stdout, "error " + OneLine(ex)).ConfigureAwait(false);
                    }
                }

                if (producer is not null)
                {
                    await producer.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                await consumer.DisposeAsync().ConfigureAwait(false);
            }

            return 0;
        }
        catch (Exception ex)
        {
            await ReplyAsync(stdout, "error " + OneLine(ex)).ConfigureAwait(false);
            await Console.Error.WriteLineAsync(ex.ToString()).ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task<string?> HandleAsync(string[] parts, WorkCounter counter, IBenchmarkProducer? producer)
    {
        int Arg(int i) => checked((int)WorkerProtocol.ParseNum(parts[i]));
        switch (parts[0])
        {
            case "arm":
                Collect();
                counter.Arm(Arg(1), parts[2] == "1");
                return null;
            case "produce-bulk":
                await Produce.BulkAsync(producer ?? throw NotLocal(), Arg(1), Arg(2), CancellationToken.None).ConfigureAwait(false);
                return null;
            case "produce-steady":
                await Produce.SteadyAsync(producer ?? throw NotLocal(), Arg(1), Arg(2), CancellationToken.None).ConfigureAwait(false);
                return null;
            case "wait":
                var report = await counter.WaitAsync(TimeSpan.FromMilliseconds(Arg(1)), CancellationToken.None).ConfigureAwait(false);
                var l = report.LatencyTicks;
                return string.Join(' ', new[] { report.CompletedAt, report.Extra, l.Length, Stats.Percentile(l, 50), Stats.Percentile(l, 99), l.Length == 0 ? 0 : l.Max() }.Select(WorkerProtocol.Num));
            case "stats":
                using (var self = Process.GetCurrentProcess())
                {
                    return string.Join(' ', new[] { self.PeakWorkingSet64, self.WorkingSet64, GC.GetTotalMemory(false) }.Select(WorkerProtocol.Num));
                }

            case "exit":
                return null;
            default:
                throw new InvalidOperationException($"unknown command '{parts[0]}'");
        }
    }

    /// <summary>A full, blocking, compacting collection, so one measurement does not pay for the garbage of the previous one.</summary>
    internal static void Collect()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    private static InvalidOperationException NotLocal() => new("this side enqueues in the harness process, not in the worker");

    private static string OneLine(Exception ex) => $"{ex.GetType().Name}: {ex.Message}".ReplaceLineEndings(" ");

    private static async Task ReplyAsync(TextWriter stdout, string line)
    {
        await stdout.WriteLineAsync(WorkerProtocol.Prefix + line).ConfigureAwait(false);
        await stdout.FlushAsync().ConfigureAwait(false);
    }
}
