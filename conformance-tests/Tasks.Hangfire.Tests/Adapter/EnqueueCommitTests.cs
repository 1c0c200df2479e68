using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Hangfire.Tests.Adapter;

/// <summary>
/// The enqueue's result write travels while Hangfire commits the last job's state (so it adds no round trip of its own),
/// and an enqueue whose commit fails after that write was sent still leaves neither result nor runnable job.
/// </summary>
public sealed class EnqueueCommitTests(PostgreSqlSchemaFixture pg) : IClassFixture<PostgreSqlSchemaFixture>
{
    [Fact]
    public async Task The_result_write_is_sent_before_hangfire_commits_the_jobs_state()
    {
        // An app filter after the adapter's: it runs inside the state transaction, before Hangfire commits it.
        var seen = new List<string?>();
        var filter = new InitialStateFilter(jobId =>
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            string? found = null;
            while (found is null && DateTime.UtcNow < deadline)
            {
                found = TestServers.ScalarAsync<string>(pg.ConnectionString, $"SELECT \"id\" FROM \"{pg.Schema}\".\"tasks_result\" WHERE \"jobid\" = '{jobId}'").GetAwaiter().GetResult();
                Thread.Sleep(found is null ? 10 : 0);
            }

            seen.Add(found);
        });
        await using var host = new TestHost(o => { pg.Configure(o); o.FilterProvider = WithFilter(filter); });

        var r = await host.Queue.EnqueueAsync(new RecordArgs("during commit"));

        Assert.Equal([r.Id], seen);
        var stored = await host.Queue.GetResultAsync(r.Id);
        Assert.Equal((TaskResultStatus.Ready, r.EngineId), (stored.Status, stored.EngineId));
        Assert.False(string.IsNullOrEmpty(r.EngineId));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task A_commit_that_fails_after_the_write_was_sent_leaves_no_result_and_no_enqueued_job(int count)
    {
        // The last job's state commit fails, after the adapter sent the batch's result write.
        var created = 0;
        var armed = false;
        var filter = new InitialStateFilter(_ =>
        {
            if (armed && ++created == count)
            {
                throw new InvalidOperationException("the state commit fails");
            }
        });
        await using var host = new TestHost(o => { pg.Configure(o); o.FilterProvider = WithFilter(filter); });
        await host.Queue.EnqueueAsync(new RecordArgs("prepares the schema"));
        var results = await CountResultsAsync();
        var monitoring = host.Backend.JobStorage.GetMonitoringApi();
        var enqueued = monitoring.EnqueuedCount("tasks_p0_default");
        armed = true;

        var batch = Enumerable.Range(0, count).Select(i => new RecordArgs($"lost {i}")).ToArray();
        await Assert.ThrowsAnyAsync<TaskException>(() => count == 1 ? host.Queue.EnqueueAsync(batch[0]) : host.Queue.EnqueueManyAsync(batch));

        Assert.Equal(count, created);
        Assert.Equal(results, await CountResultsAsync());
        Assert.Equal(enqueued, monitoring.EnqueuedCount("tasks_p0_default"));
    }

    private static JobFilterProviderCollection WithFilter(object filter) =>
        new(JobFilterProviders.Providers, new JobFilterCollection { { filter, 100 } });

    private async Task<long> CountResultsAsync() =>
        await TestServers.ScalarAsync<long>(pg.ConnectionString, $"SELECT count(*) FROM \"{pg.Schema}\".\"tasks_result\"");

    /// <summary>Calls <c>onInitialState</c> with the job id when a Tasks job gets its first state, inside Hangfire's transaction.</summary>
    private sealed class InitialStateFilter(Action<string> onInitialState) : IApplyStateFilter
    {
        public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
        {
            if (context.OldStateName is null && context.BackgroundJob.Job.Type == typeof(TasksJob))
            {
                onInitialState(context.BackgroundJob.Id);
            }
        }

        public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
        {
        }
    }
}
