using Tasks.Benchmarks.Harness;
using Tasks.Benchmarks.Output;
using Tasks.Benchmarks.Rows;

namespace Tasks.Benchmarks;

/// <summary>The command line: the harness, or (with <c>worker</c> first) a worker process.</summary>
public static class BenchmarkApp
{
    /// <summary>Runs; 0 when every selected row produced every figure, 1 when any failed, 2 on a usage error.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken = default)
    {
        if (args.Length > 0 && args[0] == WorkerProtocol.Verb)
        {
            return await WorkerMain.RunAsync(args).ConfigureAwait(false);
        }

        BenchmarkOptions options;
        try
        {
            options = BenchmarkOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await output.WriteLineAsync($"error: {ex.Message}{Environment.NewLine}{BenchmarkOptions.Usage}").ConfigureAwait(false);
            return 2;
        }

        if (options.List)
        {
            foreach (var row in BenchmarkRows.All())
            {
                await output.WriteLineAsync($"{row.Name,-14} {row.Engine}").ConfigureAwait(false);
            }

            return 0;
        }

        BenchmarkReport report;
        try
        {
            report = await BenchmarkRunner.RunAsync(options, output, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            await output.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        var directory = Path.GetFullPath(options.OutputDirectory ?? BenchmarkRunner.DefaultOutputDirectory(options.Mode));
        await BenchmarkRunner.WriteAsync(report, directory, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync(MarkdownWriter.Table(report)).ConfigureAwait(false);
        await output.WriteLineAsync($"wrote {string.Join(", ", BenchmarkRunner.OutputFiles)} to {directory}").ConfigureAwait(false);
        foreach (var r in report.Rows.Where(r => r.Error is not null))
        {
            await output.WriteLineAsync($"FAILED {r.Row}: {r.Error}").ConfigureAwait(false);
        }

        var failed = report.Rows.Count(r => !r.Complete);
        await output.WriteLineAsync($"benchmarks: {report.Rows.Count - failed} row(s) complete, {failed} failed").ConfigureAwait(false);
        return report.Succeeded ? 0 : 1;
    }
}
