using Tasks.Benchmarks.Harness;
using Tasks.Benchmarks.Output;
using Tasks.Benchmarks.Rows;

namespace Tasks.Benchmarks.Tests;

public sealed class HarnessTests
{
    [Fact]
    public void Options_parse_the_documented_command_line()
    {
        var o = BenchmarkOptions.Parse(["--quick", "--filter", "redis", "--runs", "3", "--concurrency", "4", "--out", "x"]);
        Assert.Equal(BenchmarkMode.Quick, o.Mode);
        Assert.Equal(["redis"], o.Filters);
        Assert.Equal(3, o.Runs);
        Assert.Equal(4, o.Concurrency);
        Assert.Equal("x", o.OutputDirectory);
        Assert.True(o.Selects("Redis"));
        Assert.False(o.Selects("InMemory"));
        Assert.True(o.Selects("RedisVsHangfire"));

        var exact = BenchmarkOptions.Parse(["--filter", "=hangfire"]);
        Assert.True(exact.Selects("Hangfire"));
        Assert.False(exact.Selects("RedisVsHangfire"));

        Assert.Equal(5, BenchmarkOptions.Parse([]).Runs);
        Assert.Equal(1, BenchmarkOptions.Parse(["--quick"]).Runs);
        Assert.Throws<ArgumentException>(() => BenchmarkOptions.Parse(["--runs", "0"]));
        Assert.Throws<ArgumentException>(() => BenchmarkOptions.Parse(["--filter"]));
        Assert.Throws<ArgumentException>(() => BenchmarkOptions.Parse(["--fast"]));
    }

    [Fact]
    public void Slices_are_parsed_and_split_into_whole_bulk_calls()
    {
        Assert.Equal(1, BenchmarkOptions.Parse([]).Slices);
        Assert.Equal(6, BenchmarkOptions.Parse(["--slices", "6"]).Slices);
        Assert.Throws<ArgumentException>(() => BenchmarkOptions.Parse(["--slices", "0"]));

        Assert.Equal([3, 3, 4], RowRunner.SliceSizes(10, 3));
        Assert.Equal([250, 250, 250, 250], RowRunner.SliceSizes(1_000, 4, 250));
        Assert.Equal([250, 250, 250, 250, 100], RowRunner.SliceSizes(1_100, 10, 250));
        Assert.Equal([1, 1, 1], RowRunner.SliceSizes(3, 10));
        Assert.Equal([500, 500], RowRunner.SliceSizes(1_000, 2, 250));
        Assert.Equal([7], RowRunner.SliceSizes(7, 1));
    }

    [Fact]
    public void Slices_alternate_which_side_goes_first()
    {
        // Run 0: Tasks, native | native, Tasks | Tasks, native ...; run 1 starts with native.
        Assert.Equal([true, false, true, false], Enumerable.Range(0, 4).Select(i => RowRunner.TasksFirst(0, i)));
        Assert.Equal([false, true, false, true], Enumerable.Range(0, 4).Select(i => RowRunner.TasksFirst(1, i)));
    }

    [Fact]
    public void Ratios_are_taken_pair_by_pair_then_the_median()
    {
        var r = new RowResult("X", "engine", BenchmarkSizes.Default(BenchmarkMode.Quick)) { TasksApi = "t", NativeApi = "n" };
        // Per-pair ratios 0.5, 1.5, 0.09 -> median 0.5; the ratio of the medians (90/200 = 0.45) must not be used.
        double[] tasks = [50, 300, 90];
        double[] native = [100, 200, 1000];
        for (var i = 0; i < 3; i++)
        {
            r.Samples.Add(new Sample("X", SideKind.Tasks, i, Metric.EndToEnd, tasks[i]));
            r.Samples.Add(new Sample("X", SideKind.Native, i, Metric.EndToEnd, native[i]));
        }

        Assert.Equal(0.5, r.RatioMedian(Metric.EndToEnd), 6);
        Assert.Equal(90, r.Median(Metric.EndToEnd, SideKind.Tasks));
        Assert.Equal(200, r.Median(Metric.EndToEnd, SideKind.Native));
    }

    [Fact]
    public void Full_mode_warms_a_worker_up_for_at_least_5_s_and_quick_mode_does_not()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), BenchmarkSizes.Default(BenchmarkMode.Full).MinimumWarmup);
        Assert.Equal(TimeSpan.Zero, BenchmarkSizes.Default(BenchmarkMode.Quick).MinimumWarmup);
        Assert.All(BenchmarkRows.All(), row => Assert.Equal(TimeSpan.FromSeconds(5), row.Sizes(BenchmarkMode.Full).MinimumWarmup));

        // A least time needs tasks to spend it on.
        var none = BenchmarkSizes.Default(BenchmarkMode.Full) with { WarmupCount = 0 };
        Assert.Throws<BenchmarkSetupException>(() => none.Validate("X"));
        (none with { MinimumWarmup = TimeSpan.Zero }).Validate("X");
    }

    [Fact]
    public void Percentiles_use_nearest_rank()
    {
        long[] values = [.. Enumerable.Range(1, 100).Select(i => (long)i).Reverse()];
        Assert.Equal(50, Stats.Percentile(values, 50));
        Assert.Equal(99, Stats.Percentile(values, 99));
        Assert.Equal(100, Stats.Percentile(values, 100));
        Assert.Equal(2.5, Stats.Median([4, 1, 3, 2]));
    }

    [Fact]
    public void A_missing_server_fails_with_the_command_that_starts_it()
    {
        var ex = Assert.Throws<BenchmarkSetupException>(() => new BenchmarkServers(null, null, null).Require(BenchmarkServer.Redis));
        Assert.Contains("TASKS_TEST_REDIS", ex.Message, StringComparison.Ordinal);
        Assert.Contains("scripts/servers.sh start", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rows_have_unique_names_and_valid_sizes()
    {
        var rows = BenchmarkRows.All();
        Assert.Equal(rows.Count, rows.Select(r => r.Name.ToLowerInvariant()).Distinct().Count());
        foreach (var row in rows)
        {
            Assert.Matches("^[A-Za-z0-9]+$", row.Name);
            row.Sizes(BenchmarkMode.Quick).Validate(row.Name);
            row.Sizes(BenchmarkMode.Full).Validate(row.Name);
            Assert.Same(row.GetType(), BenchmarkRows.Find(row.Name.ToUpperInvariant())!.GetType());
        }
    }

    [Fact]
    public void Markdown_escapes_generic_type_names()
    {
        var r = new RowResult("InMemory", "in-process", BenchmarkSizes.Default(BenchmarkMode.Quick)) { TasksApi = "t", NativeApi = "Channel<T> | x" };
        var report = new BenchmarkReport(DateTimeOffset.UnixEpoch, MachineInfo.Current(), BenchmarkOptions.Parse(["--quick"]), [r]);
        var table = MarkdownWriter.Table(report);
        Assert.Contains("Channel&lt;T&gt; \\| x", table, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0031, "0.0031×")]
    [InlineData(0.42, "0.42×")]
    [InlineData(0.4, "0.40×")]
    [InlineData(0.1, "0.10×")]
    [InlineData(1.5, "1.50×")]
    [InlineData(12.34, "12.3×")]
    [InlineData(1234, "1,234×")]
    public void Ratios_keep_two_significant_digits(double ratio, string text) => Assert.Equal(text, Format.Ratio(ratio));

    [Fact]
    public async Task A_worker_process_that_cannot_start_reports_why()
    {
        var context = new SideContext("bench-test", new BenchmarkServers(null, null, null), 1, BenchmarkMode.Quick, InWorkerProcess: false);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => WorkerProcess.StartAsync("NoSuchRow", SideKind.Native, context, TimeSpan.FromMinutes(1)));
        Assert.Contains("No row named 'NoSuchRow'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_process_runs_the_protocol()
    {
        // The InMemory row's native side needs no server: arm, enqueue inside the worker, wait, stats, exit.
        var context = new SideContext("bench-test", new BenchmarkServers(null, null, null), 2, BenchmarkMode.Quick, InWorkerProcess: false);
        await using var worker = await WorkerProcess.StartAsync("InMemory", SideKind.Native, context, TimeSpan.FromMinutes(1));
        await worker.SendAsync("arm 50 1", TimeSpan.FromSeconds(30));
        await worker.SendAsync("produce-steady 50 1000", TimeSpan.FromSeconds(30));
        var done = await worker.SendAsync("wait 30000", TimeSpan.FromSeconds(60));
        Assert.Equal(6, done.Length);
        Assert.Equal("0", done[1]);  // no duplicates
        Assert.Equal("50", done[2]); // every latency sample
        var stats = await worker.SendAsync("stats", TimeSpan.FromSeconds(30));
        Assert.True(long.Parse(stats[0], System.Globalization.CultureInfo.InvariantCulture) > 1_000_000);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => worker.SendAsync("bogus", TimeSpan.FromSeconds(30)));
        Assert.Contains("unknown command", error.Message, StringComparison.Ordinal);
    }
}
