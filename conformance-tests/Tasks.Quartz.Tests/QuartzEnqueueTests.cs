using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;
using Quartz;
using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Quartz.Tests;

/// <summary>How enqueue and a first run write (AdoNet): only Quartz's rows at enqueue, in Quartz's transaction; one result write for a fast task.</summary>
public sealed class QuartzEnqueueTests(QuartzAdoFixture fixture) : IClassFixture<QuartzAdoFixture>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        fixture.Probe.Clear();
        await fixture.ResetAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_enqueue_only_process_sends_the_statements_quartz_sends_for_the_same_job_and_no_more()
    {
        await using var backend = NewBackend();
        await backend.ConnectAsync();
        await backend.EnqueueAsync(Envelope()); // warm

        var tasks = await CountCommandsAsync(() => backend.EnqueueAsync(Envelope()));

        // The same job and trigger scheduled through Quartz's own API, on a scheduler of the same store.
        var scheduler = await backend.GetDispatchSchedulerAsync(CancellationToken.None);
        var e = Envelope();
        var job = JobBuilder.Create<QuartzTaskJob>().WithIdentity(e.Id, "native").UsingJobData("x", "y").Build();
        var native = await CountCommandsAsync(() => scheduler.ScheduleJob(job, TriggerBuilder.Create().ForJob(job).StartNow().Build()).AsTask());

        Assert.Equal(native.Count, tasks.Count);

        // Nothing else: Quartz's own key refuses an id in use (a task's job lives as long as its result), and no result
        // row is written (the job stands for it).
        Assert.DoesNotContain(tasks, c => c.Contains(fixture.Settings.ResultsTable, StringComparison.Ordinal));
        var enqueued = await backend.EnqueueAsync(Envelope());
        Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM {QuartzTestDatabase.Settings.ResultsSchema}.{fixture.Settings.ResultsTable} WHERE id = '{enqueued.Id}'"));
        Assert.Equal((TaskResultStatus.Ready, 0L), ((await backend.GetResultAsync(enqueued.Id)).Status, (await backend.GetResultAsync(enqueued.Id)).Version));
    }

    [Theory]
    [InlineData(false)] // the enqueue-side scheduler
    [InlineData(true)] // a local worker's scheduler
    public async Task When_quartz_fails_no_result_and_no_job_is_left(bool withLocalWorker)
    {
        await using var backend = NewBackend();
        await backend.ConnectAsync();
        await using var host = fixture.CreateHost("w"); // only for the worker's pipeline services
        await using var worker = withLocalWorker ? backend.CreateWorker(new TaskWorkerOptions { Queues = ["nowhere"] }, host.Services) : null;
        if (worker is not null)
        {
            await worker.StartAsync();
        }

        // The database refuses the trigger row of one task: Quartz fails after the job and result rows were written.
        var doomed = Envelope();
        await fixture.ExecuteAsync($"""
            CREATE OR REPLACE FUNCTION {fixture.Settings.TablePrefix}refuse() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN IF NEW.job_name = '{doomed.Id}' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER {fixture.Settings.TablePrefix}refuse BEFORE INSERT ON {fixture.Settings.TablePrefix}triggers
            FOR EACH ROW EXECUTE FUNCTION {fixture.Settings.TablePrefix}refuse();
            """);
        try
        {
            var fine = Envelope();
            await Assert.ThrowsAnyAsync<Exception>(() => backend.EnqueueManyAsync([fine, doomed]));
            await Assert.ThrowsAsync<TaskNotFoundException>(() => backend.GetResultAsync(doomed.Id));
            await Assert.ThrowsAsync<TaskNotFoundException>(() => backend.GetResultAsync(fine.Id));
            Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM {fixture.Settings.TablePrefix}job_details WHERE sched_name = '{fixture.Settings.SchedulerName}'"));

            var ok = await backend.EnqueueAsync(Envelope());
            Assert.Equal(TaskResultStatus.Ready, (await backend.GetResultAsync(ok.Id)).Status);
        }
        finally
        {
            await fixture.ExecuteAsync($"DROP TRIGGER IF EXISTS {fixture.Settings.TablePrefix}refuse ON {fixture.Settings.TablePrefix}triggers; DROP FUNCTION IF EXISTS {fixture.Settings.TablePrefix}refuse();");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_id_already_enqueued_is_a_typed_error_and_the_first_task_is_untouched(bool withLocalWorker)
    {
        await using var backend = NewBackend();
        await backend.ConnectAsync();
        await using var host = fixture.CreateHost("w");
        await using var worker = withLocalWorker ? backend.CreateWorker(new TaskWorkerOptions { Queues = ["nowhere"] }, host.Services) : null;
        if (worker is not null)
        {
            await worker.StartAsync();
        }

        // A migration re-run, or a caller that sets ids, can hand the backend an id it already holds.
        var first = Envelope();
        await backend.EnqueueAsync(first);
        var error = await Assert.ThrowsAsync<InvalidTaskException>(() => backend.EnqueueManyAsync([Envelope(), first]));
        Assert.Contains(backend.Alias, error.Message, StringComparison.Ordinal);

        // Nothing of the failed bulk call was written; the first task still waits.
        Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM {fixture.Settings.TablePrefix}job_details WHERE sched_name = '{fixture.Settings.SchedulerName}'"));
        Assert.Equal(TaskResultStatus.Ready, (await backend.GetResultAsync(first.Id)).Status);

        // A finished task keeps its (durable) job without triggers as long as its row: its id is refused too, and its
        // result stays.
        var finished = Envelope();
        await backend.EnqueueAsync(finished);
        var done = TaskResult.ForEnqueued(finished, backend.Alias) with { Status = TaskResultStatus.Succeeded, Attempts = 1, FinishedAt = DateTimeOffset.UtcNow, Version = 2 };
        Assert.True(await backend.Results.TryUpdateAsync(done, 0));
        var scheduler = await backend.GetDispatchSchedulerAsync(CancellationToken.None);
        Assert.True(await scheduler.UnscheduleJob(new TriggerKey(finished.Id, QuartzTaskMapping.Group))); // as Quartz's completion does
        Assert.Equal(1L, await fixture.CountRowsAsync("job_details", finished.Id));
        await Assert.ThrowsAsync<InvalidTaskException>(() => backend.EnqueueManyAsync([finished]));
        await Assert.ThrowsAsync<InvalidTaskException>(() => backend.EnqueueManyAsync([Envelope(), finished]));
        Assert.Equal(TaskResultStatus.Succeeded, (await backend.GetResultAsync(finished.Id)).Status);
        Assert.Equal(2L, await fixture.CountRowsAsync("job_details"));
    }

    [Fact]
    public async Task A_fast_first_delivery_reads_no_result_and_writes_it_once()
    {
        await using var host = fixture.CreateHost("app");
        var warm = await host.Queue.EnqueueAsync(new RecordArgs("warm"));
        await host.StartWorkerAsync();
        await host.Queue.WaitAsync(warm.Id, TimeSpan.FromSeconds(30));
        await using var other = fixture.CreateHost("client"); // enqueues through its own scheduler, wakes nothing
        var task = await other.Queue.EnqueueAsync(new RecordArgs("counted"));

        var commands = await CountCommandsAsync(async () =>
        {
            while (fixture.Probe.ExecutionsOf(task.Id).Count == 0)
            {
                await Task.Delay(20);
            }

            await Task.Delay(300); // the Succeeded write
        });

        var results = commands.Where(c => c.Contains(fixture.Settings.ResultsTable, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(results, c => c.TrimStart().StartsWith("SELECT", StringComparison.Ordinal));

        // One write, the row's first (its job stood for the Ready result until then): the task finished within
        // RunningStatusDelay, so Running was never written.
        var write = Assert.Single(results, c => c.StartsWith("INSERT", StringComparison.Ordinal) || c.StartsWith("UPDATE", StringComparison.Ordinal));
        Assert.Contains("ON CONFLICT", write, StringComparison.Ordinal);
        Assert.Equal(TaskResultStatus.Succeeded, (await host.Queue.GetResultAsync(task.Id)).Status);
    }

    private QuartzTaskBackend NewBackend()
    {
        var options = new QuartzTaskBackendOptions();
        fixture.Settings.Apply(options);
        return new QuartzTaskBackend(Conformance.TaskBackendFixture.BackendAlias, options);
    }

    private static TaskEnvelope Envelope() => new()
    {
        Id = Guid.NewGuid().ToString(),
        TaskName = ConformanceTaskNames.Record,
        Queue = "default",
        Arguments = "{\"label\":\"x\"}",
        EnqueuedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>The commands this fixture's tables saw while <paramref name="work"/> ran (other tests use other tables).</summary>
    private async Task<List<string>> CountCommandsAsync(Func<Task> work)
    {
        var seen = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = a =>
            {
                var text = (a.GetTagItem("db.query.text") ?? a.GetTagItem("db.statement"))?.ToString() ?? "";
                if (text.Contains(fixture.Settings.TablePrefix, StringComparison.OrdinalIgnoreCase) || text.Contains(fixture.Settings.ResultsTable, StringComparison.Ordinal))
                {
                    seen.Enqueue(text);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await work();
        return [.. seen];
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }
}
