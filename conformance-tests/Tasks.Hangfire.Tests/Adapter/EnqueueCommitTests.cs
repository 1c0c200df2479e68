using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using Tasks.Conformance.ConformanceTasks;
using Tasks.Hangfire.Internal;
using Xunit;

namespace Tasks.Hangfire.Tests.Adapter;

/// <summary>
/// With PostgreSQL an enqueue writes nothing but Hangfire's job (the task is read from it by its id), and an enqueue
/// whose commit fails leaves its jobs Deleted: nothing runs, and nothing reads as a task the caller was told failed.
/// </summary>
public sealed class EnqueueCommitTests(PostgreSqlSchemaFixture pg) : IClassFixture<PostgreSqlSchemaFixture>
{
    [Fact]
    public async Task An_enqueue_writes_only_hangfires_job_and_the_task_is_read_from_it()
    {
        await using var host = new TestHost(pg.Configure);

        var one = await host.Queue.EnqueueAsync(new RecordArgs("one"));
        var many = await host.Queue.EnqueueManyAsync([new RecordArgs("a"), new RecordArgs("b")]);

        Assert.Equal(0L, await TestServers.ScalarAsync<long>(pg.ConnectionString, $"SELECT count(*) FROM \"{pg.Schema}\".\"tasks_result\""));
        foreach (var r in many.Prepend(one))
        {
            Assert.False(string.IsNullOrEmpty(r.EngineId));
            var jobTaskId = await TestServers.ScalarAsync<string>(pg.ConnectionString, $"SELECT \"arguments\" ->> 1 FROM \"{pg.Schema}\".\"job\" WHERE \"id\" = {r.EngineId}");
            Assert.Equal($"\"{r.Id}\"", jobTaskId);
            var stored = await host.Queue.GetResultAsync(r.Id);
            Assert.Equal((TaskResultStatus.Ready, r.EngineId, r.Arguments, 0), (stored.Status, stored.EngineId, stored.Arguments, stored.Attempts));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task A_commit_that_fails_leaves_deleted_jobs_and_no_task(int count)
    {
        // The last job's state commit fails.
        var created = new List<(string JobId, string TaskId)>();
        var armed = false;
        var filter = new InitialStateFilter(job =>
        {
            if (armed)
            {
                created.Add((job.Id, (string)job.Job.Args[1]));
                if (created.Count == count)
                {
                    throw new InvalidOperationException("the state commit fails");
                }
            }
        });
        await using var host = new TestHost(o => { pg.Configure(o); o.FilterProvider = WithFilter(filter); });
        await host.Queue.EnqueueAsync(new RecordArgs("prepares the schema"));
        var monitoring = host.Backend.JobStorage.GetMonitoringApi();
        var enqueued = monitoring.EnqueuedCount("tasks_p0_default");
        armed = true;

        var batch = Enumerable.Range(0, count).Select(i => new RecordArgs($"lost {i}")).ToArray();
        await Assert.ThrowsAnyAsync<TaskException>(() => count == 1 ? host.Queue.EnqueueAsync(batch[0]) : host.Queue.EnqueueManyAsync(batch));

        Assert.Equal(count, created.Count);
        Assert.Equal(enqueued, monitoring.EnqueuedCount("tasks_p0_default"));

        // The last job exists without a state (its first state's commit failed), which reads as no task; the ones before
        // it were moved to Deleted. No task of the batch reads as enqueued.
        Assert.Empty(monitoring.JobDetails(created[^1].JobId)?.History ?? []);
        foreach (var (jobId, taskId) in created.SkipLast(1))
        {
            var history = monitoring.JobDetails(jobId).History[0];
            Assert.Equal((DeletedState.StateName, HangfireJobResult.EnqueueUndoneReason), (history.StateName, history.Reason));
        }

        foreach (var (_, taskId) in created)
        {
            await Assert.ThrowsAsync<TaskNotFoundException>(() => host.Queue.GetResultAsync(taskId));
        }
    }

    private static JobFilterProviderCollection WithFilter(object filter) =>
        new(JobFilterProviders.Providers, new JobFilterCollection { { filter, 100 } });

    /// <summary>Calls <c>onInitialState</c> with the job when a Tasks job gets its first state, inside Hangfire's transaction.</summary>
    private sealed class InitialStateFilter(Action<BackgroundJob> onInitialState) : IApplyStateFilter
    {
        public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
        {
            if (context.OldStateName is null && context.BackgroundJob.Job.Type == typeof(TasksJob))
            {
                onInitialState(context.BackgroundJob);
            }
        }

        public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
        {
        }
    }
}
