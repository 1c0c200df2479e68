using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace Tasks.EndToEnd.Tests;

/// <summary>The `tasks` command line, as a process reading environment-variable configuration.</summary>
public sealed class TasksCliTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Migrate_and_status_from_the_command_line()
    {
        var runId = Guid.NewGuid().ToString("N")[..6];
        var redis = new Engine("Redis");
        var config = redis.ConfigurationFor("old", runId + "a").Concat(redis.ConfigurationFor("new", runId + "b")).Append(new("Tasks:DefaultBackend", "old")).ToArray();
        await using var cleanupOld = EngineCleanup.When(redis, runId + "a");
        await using var cleanupNew = EngineCleanup.When(redis, runId + "b");
        await using (var host = new MigrationHostOverConfig(config))
        {
            await host.Queue.With(queue: "mail").EnqueueManyAsync(Enumerable.Range(0, 300).Select(i => new MigrationItem(i, "cli")));
            await host.Queue.With(queue: "mig").EnqueueManyAsync(Enumerable.Range(0, 20).Select(i => new MigrationItem(i, "other")));
        }

        var status = await RunAsync(config, "status");
        Assert.Equal(0, status.Code);
        Assert.Contains("queue mail: 300 pending", status.Out, StringComparison.Ordinal);

        var dry = await RunAsync(config, "migrate", "--from", "old", "--to", "new", "--queue", "mail", "--dry-run");
        Assert.Equal(0, dry.Code);
        Assert.Contains("dry run: 300 pending task(s) would move", dry.Out, StringComparison.Ordinal);

        var real = await RunAsync(config, "migrate", "--from", "old", "--to", "new", "--queue", "mail");
        Assert.Equal(0, real.Code);
        Assert.Contains("found 300, moved 300", real.Out, StringComparison.Ordinal);
        Assert.Contains("100%", real.Err, StringComparison.Ordinal); // progress, one line per 10% when not a terminal

        var after = await RunAsync(config, "status");
        Assert.Contains("queue mig: 20 pending", after.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("queue mail: 300 pending\n  queue mig", after.Out.Split("new (")[0], StringComparison.Ordinal);
        Assert.Contains("new (RedisTaskBackend)", after.Out, StringComparison.Ordinal);
        Assert.Contains("queue mail: 300 pending", after.Out.Split("new (")[1], StringComparison.Ordinal);

        var again = await RunAsync(config, "migrate", "--from", "old", "--to", "new", "--queue", "mail");
        Assert.Contains("found 0, moved 0", again.Out, StringComparison.Ordinal);

        var bad = await RunAsync(config, "migrate", "--from", "old", "--too", "new");
        Assert.Equal(2, bad.Code);
        var unknown = await RunAsync(config, "migrate", "--from", "old", "--to", "nowhere");
        Assert.Equal(3, unknown.Code);
        Assert.Contains("'nowhere'", unknown.Err, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Out, string Err)> RunAsync(IEnumerable<KeyValuePair<string, string?>> config, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        start.ArgumentList.Add(Path.Combine(PagesAppProcess.SiblingOutput("Tasks.Cli"), "Tasks.Cli.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (key, value) in config)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        var result = (process.ExitCode, await stdout, await stderr);
        output.WriteLine($"$ tasks {string.Join(' ', args)} -> {result.ExitCode}\n{result.Item2}{result.Item3}");
        return result;
    }
}
