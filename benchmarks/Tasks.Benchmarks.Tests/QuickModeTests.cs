using Tasks.Benchmarks.Harness;
using Tasks.Benchmarks.Rows;
using Xunit.Abstractions;

namespace Tasks.Benchmarks.Tests;

/// <summary>
/// Runs the whole harness in quick mode, exactly as `scripts/bench.sh --quick` would (worker processes, servers
/// from TASKS_TEST_*), so a change that breaks a row or the outputs fails CI.
/// </summary>
public sealed class QuickModeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Quick_mode_measures_every_registered_row_and_writes_every_output()
    {
        var dir = Directory.CreateTempSubdirectory("tasks-bench-quick-");
        try
        {
            await RunHarnessAsync(["--quick", "--out", dir.FullName]);

            foreach (var file in BenchmarkRunner.OutputFiles)
            {
                var path = Path.Combine(dir.FullName, file);
                Assert.True(File.Exists(path) && new FileInfo(path).Length > 0, $"{file} was not written");
            }

            var png = await File.ReadAllBytesAsync(Path.Combine(dir.FullName, "end-to-end.png"));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);

            var markdown = await File.ReadAllTextAsync(Path.Combine(dir.FullName, "results.md"));
            var csv = (await File.ReadAllLinesAsync(Path.Combine(dir.FullName, "results.csv"))).Skip(1).Select(SplitCsv).ToArray();
            var samples = (await File.ReadAllLinesAsync(Path.Combine(dir.FullName, "samples.csv"))).Skip(1).Select(SplitCsv).ToArray();
            foreach (var row in BenchmarkRows.All())
            {
                Assert.Contains($"**{row.Name}**", markdown, StringComparison.Ordinal);
                var lines = csv.Where(c => c[1] == row.Name).ToArray();
                Assert.Equal(Metrics.All.Count, lines.Length);
                foreach (var line in lines)
                {
                    // columns: ..., tasks_median (9), native_median (10), ratio_median (11), ..., status (14)
                    var status = line[14];
                    Assert.True(status is "ok" or "tasks-pending", $"row {row.Name} metric {line[3]}: status {status}");
                    Assert.True(Positive(line[10]), $"row {row.Name} metric {line[3]}: no native value");
                    if (status == "ok")
                    {
                        Assert.True(Positive(line[9]), $"row {row.Name} metric {line[3]}: no Tasks value");
                        Assert.True(Positive(line[11]), $"row {row.Name} metric {line[3]}: no Tasks/native ratio");
                    }
                }

                Assert.Contains(samples, s => s[0] == row.Name && s[1] == "native");
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Sliced_runs_give_both_sides_every_measure_in_every_run()
    {
        // InMemory: worker processes that enqueue for themselves; Quartz: a server row with a producer per side.
        var dir = Directory.CreateTempSubdirectory("tasks-bench-sliced-");
        try
        {
            await RunHarnessAsync(["--quick", "--slices", "3", "--runs", "2", "--filter", "InMemory", "--filter", "Quartz", "--out", dir.FullName]);
            var samples = (await File.ReadAllLinesAsync(Path.Combine(dir.FullName, "samples.csv"))).Skip(1).Select(SplitCsv).ToArray();
            foreach (var row in new[] { "InMemory", "Quartz" })
            {
                foreach (var side in new[] { "tasks", "native" })
                {
                    foreach (var run in new[] { "1", "2" })
                    {
                        var measured = samples.Where(s => s[0] == row && s[1] == side && s[2] == run).ToArray();
                        Assert.True(measured.Length == Metrics.All.Count, $"{row} {side} run {run}: {measured.Length} of {Metrics.All.Count} measures");
                        Assert.All(measured, s => Assert.True(Positive(s[5]), $"{row} {side} run {run} {s[3]}: {s[5]}"));
                    }
                }
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Runs the harness in this process, passes its log to the test output, and fails unless it exited with 0.</summary>
    private async Task RunHarnessAsync(string[] args)
    {
        var log = new StringWriter();
        int exitCode;
        try
        {
            exitCode = await BenchmarkApp.RunAsync(args, log);
        }
        finally
        {
            output.WriteLine(log.ToString());
        }

        Assert.True(exitCode == 0, $"the harness exited with {exitCode}; its output is above");
    }

    private static bool Positive(string value) =>
        double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0;

    // RFC 4180 fields: an engine description such as "Hangfire 1.8 (Hangfire.PostgreSql 1.21, PostgreSQL 15)" is quoted.
    private static string[] SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields.ToArray();
    }
}
