using Tasks.Benchmarks.Output;
using Tasks.Benchmarks.Rows;

namespace Tasks.Benchmarks.Harness;

/// <summary>Runs the selected rows one after another and writes the results.</summary>
public static class BenchmarkRunner
{
    /// <summary>The files a run writes into its output folder.</summary>
    public static readonly IReadOnlyList<string> OutputFiles = ["results.md", "results.csv", "samples.csv", "end-to-end.png"];

    /// <summary>Runs the rows <paramref name="options"/> selects.</summary>
    /// <exception cref="ArgumentException">The filter matches no row.</exception>
    public static async Task<BenchmarkReport> RunAsync(BenchmarkOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var all = BenchmarkRows.All();
        var rows = all.Where(r => options.Selects(r.Name)).ToArray();
        if (rows.Length == 0)
        {
            throw new ArgumentException($"--filter {string.Join(", ", options.Filters)} matches no row; the rows are: {string.Join(", ", all.Select(r => r.Name))}");
        }

        var date = DateTimeOffset.UtcNow;
        var runId = $"bench-{date:yyyyMMddHHmmss}-{Random.Shared.Next(0x10000):x4}";
        var context = new SideContext(runId, BenchmarkServers.FromEnvironment(), options.Concurrency, options.Mode, InWorkerProcess: false);
        var machine = MachineInfo.Current();
        await log.WriteLineAsync($"Tasks benchmarks: {options.Mode.ToString().ToLowerInvariant()} mode, {options.Runs} run(s) per side, concurrency {options.Concurrency}, rows: {string.Join(", ", rows.Select(r => r.Name))}").ConfigureAwait(false);
        await log.WriteLineAsync($"  machine: {machine}; run id {runId}").ConfigureAwait(false);

        var results = new List<RowResult>();
        foreach (var row in rows)
        {
            await log.WriteLineAsync($"- {row.Name} ({row.Engine})").ConfigureAwait(false);
            results.Add(await new RowRunner(row, context, options, log).RunAsync(cancellationToken).ConfigureAwait(false));
        }

        return new BenchmarkReport(date, machine, options, results);
    }

    /// <summary>Writes <see cref="OutputFiles"/> into <paramref name="directory"/>.</summary>
    public static async Task WriteAsync(BenchmarkReport report, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var chart = "end-to-end.png";
        ChartWriter.WritePng(report, Path.Combine(directory, chart));
        await File.WriteAllTextAsync(Path.Combine(directory, "results.md"), MarkdownWriter.Write(report, chart), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(directory, "results.csv"), CsvWriter.Summary(report), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(directory, "samples.csv"), CsvWriter.Samples(report), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The default output folder of <paramref name="mode"/>: <c>benchmarks/results</c> (full) or <c>artifacts/benchmarks-quick</c> (quick) under the repository root.</summary>
    public static string DefaultOutputDirectory(BenchmarkMode mode)
    {
        var root = RepositoryRoot(Directory.GetCurrentDirectory()) ?? RepositoryRoot(AppContext.BaseDirectory) ?? Directory.GetCurrentDirectory();
        return mode == BenchmarkMode.Quick ? Path.Combine(root, "artifacts", "benchmarks-quick") : Path.Combine(root, "benchmarks", "results");
    }

    private static string? RepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Tasks.sln")) || File.Exists(Path.Combine(dir.FullName, "Tasks.slnx")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
