using System.Collections.Concurrent;
using System.Diagnostics;
using Hangfire;
using Hangfire.States;
using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Hangfire.Tests.Adapter;

/// <summary>
/// With PostgreSQL a task's result is Hangfire's own data: a short task writes no row of its own (its result is its
/// job's Succeeded state), its status follows its job's state, and a row appears only when there is more to tell.
/// </summary>
public sealed class JobStateResultTests(PostgreSqlSchemaFixture pg) : IClassFixture<PostgreSqlSchemaFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_short_task_writes_no_row_and_its_result_is_its_jobs_succeeded_state()
    {
        await using var host = new TestHost(pg.Configure);
        await host.StartWorkerAsync();

        var r = await host.Queue.EnqueueAsync(new RecordArgs("kept by hangfire"));
        var result = await host.Queue.WaitAsync(r.Id, Wait);

        Assert.Equal((TaskResultStatus.Succeeded, 1, "w1", r.EngineId), (result.Status, result.Attempts, result.WorkerIds.Single(), result.EngineId));
        Assert.Equal("kept by hangfire", result.GetReturnValue<string>());
        Assert.Equal(r.Arguments, result.Arguments);
        Assert.Equal(0L, await CountRowsAsync(r.Id));

        // Hangfire's Succeeded state holds the result (the dashboard shows it as the job's result), without what the job
        // holds already (its task id and arguments).
        var held = await TestServers.ScalarAsync<string>(pg.ConnectionString, $"SELECT s.\"data\" ->> 'Result' FROM \"{pg.Schema}\".\"job\" j JOIN \"{pg.Schema}\".\"state\" s ON s.\"id\" = j.\"stateid\" WHERE j.\"id\" = {r.EngineId} AND j.\"statename\" = 'Succeeded'");
        Assert.Contains("kept by hangfire", held, StringComparison.Ordinal);
        Assert.DoesNotContain(r.Id, held, StringComparison.Ordinal);
        Assert.DoesNotContain("label", held, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_first_attempt_that_succeeds_sends_no_statement_of_its_own()
    {
        await using var host = new TestHost(pg.Configure);
        await host.StartWorkerAsync();
        await host.Queue.WaitAsync((await host.Queue.EnqueueAsync(new RecordArgs("warm-up"))).Id, Wait);

        var seen = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                var text = (activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement"))?.ToString() ?? "";
                if (text.Contains(pg.Schema, StringComparison.Ordinal))
                {
                    seen.Enqueue(text);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        var r = await host.Queue.EnqueueAsync(new RecordArgs("no statement of ours"));
        await UntilAsync(() => Task.FromResult(host.Probe.ExecutionsOf(r.Id).Count > 0 && LastState(host, r) == SucceededState.StateName), "the task did not succeed");

        // Hangfire's own statements were seen (the listener works); none touched the Tasks table.
        Assert.Contains(seen, text => text.Contains("\"job\"", StringComparison.Ordinal));
        Assert.DoesNotContain(seen, text => text.Contains("tasks_result", StringComparison.Ordinal));
        Assert.Equal(TaskResultStatus.Succeeded, (await host.Queue.GetResultAsync(r.Id)).Status);
    }

    [Fact]
    public async Task A_task_running_past_the_delay_has_a_running_row_with_its_worker_and_it_ends_succeeded()
    {
        await using var host = new TestHost(o => { pg.Configure(o); o.RunningStatusDelay = TimeSpan.FromMilliseconds(100); });
        await host.StartWorkerAsync();

        var r = await host.Queue.EnqueueAsync(ConformanceTaskNames.Sleep, new SleepArgs(1_500));
        await UntilAsync(async () => await CountRowsAsync(r.Id) > 0, "no Running row was written");

        var running = await host.Queue.GetResultAsync(r.Id);
        Assert.Equal((TaskResultStatus.Running, 1, "w1"), (running.Status, running.Attempts, running.WorkerIds.Single()));

        var result = await host.Queue.WaitAsync(r.Id, Wait);
        Assert.Equal(TaskResultStatus.Succeeded, result.Status);

        // A task with a row has its success written there too, so the row expires and never says Running again.
        Assert.NotNull(await TestServers.ScalarAsync<DateTime?>(pg.ConnectionString, $"SELECT \"expireat\" FROM \"{pg.Schema}\".\"tasks_result\" WHERE \"id\" = '{r.Id}'"));
    }

    [Fact]
    public async Task A_task_shorter_than_the_delay_reads_as_running_from_its_jobs_processing_state()
    {
        await using var host = new TestHost(o => { pg.Configure(o); o.RunningStatusDelay = TimeSpan.FromMinutes(1); });
        await host.StartWorkerAsync();

        var r = await host.Queue.EnqueueAsync(ConformanceTaskNames.Sleep, new SleepArgs(1_500));
        TaskResult seen = r;
        await UntilAsync(async () => (seen = await host.Queue.GetResultAsync(r.Id)).Status == TaskResultStatus.Running, "the task did not start");

        Assert.Equal(1, seen.Attempts);
        Assert.NotNull(seen.StartedAt);
        Assert.Equal(0L, await CountRowsAsync(r.Id));
        Assert.False(await host.Queue.CancelAsync(r.Id), "a started task cannot be cancelled");
        Assert.Equal(TaskResultStatus.Succeeded, (await host.Queue.WaitAsync(r.Id, Wait)).Status);
    }

    [Fact]
    public async Task A_retried_task_keeps_its_errors_in_its_row_and_succeeds_with_them()
    {
        await using var host = new TestHost(pg.Configure);
        await host.StartWorkerAsync();

        var r = await host.Queue.EnqueueAsync(ConformanceTaskNames.Retry, new FailArgs("first attempt fails", 1));
        var result = await host.Queue.WaitAsync(r.Id, Wait);

        Assert.Equal((TaskResultStatus.Succeeded, 2), (result.Status, result.Attempts));
        Assert.Equal(2, result.GetReturnValue<int>());
        var error = Assert.Single(result.Errors);
        Assert.Equal((1, "first attempt fails"), (error.Attempt, error.Message));
        Assert.Equal(1L, await CountRowsAsync(r.Id));

        // The retry told the job's next run to read the row: its envelope argument says attempt 2.
        var job = host.Backend.JobStorage.GetMonitoringApi().JobDetails(r.EngineId).Job;
        Assert.Equal(2, TaskJson.DeserializeEnvelope(Assert.IsType<string>(job.Args[3])).Attempt);
    }

    [Fact]
    public async Task A_failed_tasks_job_requeued_from_the_dashboard_does_not_run_the_task_again()
    {
        await using var host = new TestHost(pg.Configure);
        await host.StartWorkerAsync();
        var r = await host.Queue.EnqueueAsync(ConformanceTaskNames.FailOnce, new FailArgs("fails for good", 100));
        Assert.Equal(TaskResultStatus.Failed, (await host.Queue.WaitAsync(r.Id, Wait)).Status);

        Assert.True(new BackgroundJobClient(host.Backend.JobStorage).Requeue(r.EngineId));
        await UntilAsync(() => Task.FromResult(LastState(host, r) == SucceededState.StateName), "the requeued job did not end");

        Assert.Single(host.Probe.ExecutionsOf(r.Id));
        var result = await host.Queue.GetResultAsync(r.Id);
        Assert.Equal((TaskResultStatus.Failed, 1), (result.Status, result.Attempts));
    }

    [Fact]
    public async Task A_first_attempt_handed_back_at_shutdown_leaves_no_row_and_runs_again_as_the_first()
    {
        await using var host = new TestHost(o => { pg.Configure(o); o.RunningStatusDelay = TimeSpan.FromMilliseconds(100); });
        var worker = await host.StartWorkerAsync(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(300));
        var r = await host.Queue.EnqueueAsync(ConformanceTaskNames.Sleep, new SleepArgs(4_000));
        await UntilAsync(async () => await CountRowsAsync(r.Id) > 0, "no Running row was written");

        await worker.StopAsync();

        Assert.Equal(0L, await CountRowsAsync(r.Id));
        var handedBack = await host.Queue.GetResultAsync(r.Id);
        Assert.Equal((TaskResultStatus.Ready, 0), (handedBack.Status, handedBack.Attempts));
        var last = host.Backend.JobStorage.GetMonitoringApi().JobDetails(r.EngineId).History[0];
        Assert.Equal((EnqueuedState.StateName, Tasks.Hangfire.Internal.HangfireJobRunner.HandedBackReason), (last.StateName, last.Reason));
        await host.StartWorkerAsync();
        var result = await host.Queue.WaitAsync(r.Id, Wait);
        Assert.Equal((TaskResultStatus.Succeeded, 1), (result.Status, result.Attempts));
    }

    [Fact]
    public async Task Cancel_moves_the_job_to_deleted_and_a_job_deleted_from_the_dashboard_is_a_cancelled_task()
    {
        await using var host = new TestHost(pg.Configure);
        var cancelled = await host.Queue.EnqueueAsync(new RecordArgs("cancelled"));
        var deleted = await host.Queue.Delay(TimeSpan.FromSeconds(3)).EnqueueAsync(new RecordArgs("deleted in the dashboard"));

        Assert.True(await host.Queue.CancelAsync(cancelled.Id));
        Assert.False(await host.Queue.CancelAsync(cancelled.Id), "already cancelled");
        var monitoring = host.Backend.JobStorage.GetMonitoringApi();
        var last = monitoring.JobDetails(cancelled.EngineId).History[0];
        Assert.Equal((DeletedState.StateName, HangfireTaskBackend.CancelledReason), (last.StateName, last.Reason));

        // What the dashboard's Delete button does.
        new BackgroundJobClient(host.Backend.JobStorage).Delete(deleted.EngineId);

        await host.StartWorkerAsync();
        await Task.Delay(TimeSpan.FromSeconds(5));
        foreach (var id in (string[])[cancelled.Id, deleted.Id])
        {
            var result = await host.Queue.GetResultAsync(id);
            Assert.Equal(TaskResultStatus.Cancelled, result.Status);
            Assert.NotNull(result.FinishedAt);
            Assert.Empty(host.Probe.ExecutionsOf(id));
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="failure"/> after <see cref="Wait"/>.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(20);
        }
    }

    private static string LastState(TestHost host, TaskResult r) => host.Backend.JobStorage.GetMonitoringApi().JobDetails(r.EngineId).History[0].StateName;

    private async Task<long> CountRowsAsync(string id) =>
        await TestServers.ScalarAsync<long>(pg.ConnectionString, $"SELECT count(*) FROM \"{pg.Schema}\".\"tasks_result\" WHERE \"id\" = '{id}'");
}
