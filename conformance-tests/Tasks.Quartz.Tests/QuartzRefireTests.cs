using Microsoft.Extensions.DependencyInjection;
using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Quartz.Tests;

/// <summary>A firing whose attempt can be neither recorded nor put back keeps the task and runs it again (AdoNet).</summary>
public sealed class QuartzRefireTests(QuartzAdoFixture fixture) : IClassFixture<QuartzAdoFixture>
{
    [Fact]
    public async Task A_task_whose_result_and_next_trigger_cannot_be_written_is_run_again_until_they_can()
    {
        fixture.Probe.Clear();
        await fixture.ResetAsync();
        await using var provider = QuartzPendingTests.BuildServices(fixture);
        var queue = provider.GetRequiredService<ITaskQueue>();
        var task = await queue.EnqueueAsync(new RecordArgs("outage"));

        // The database refuses this task's result rows and any new trigger of its job, as if it were away for it.
        var results = $"{QuartzTestDatabase.Settings.ResultsSchema}.{fixture.Settings.ResultsTable}";
        var triggers = $"{fixture.Settings.TablePrefix}triggers";
        var prefix = fixture.Settings.TablePrefix;
        await fixture.ExecuteAsync($"""
            CREATE OR REPLACE FUNCTION {prefix}refuse_result() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN IF NEW.id = '{task.Id}'::uuid THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$;
            CREATE OR REPLACE FUNCTION {prefix}refuse_trigger() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN IF NEW.job_name = '{task.Id}' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER refuse_outage BEFORE INSERT OR UPDATE ON {results} FOR EACH ROW EXECUTE FUNCTION {prefix}refuse_result();
            CREATE TRIGGER refuse_outage BEFORE INSERT ON {triggers} FOR EACH ROW EXECUTE FUNCTION {prefix}refuse_trigger();
            """);
        try
        {
            await using var worker = provider.GetRequiredService<ITaskBackendProvider>().CreateWorker(new TaskWorkerOptions { Backend = "quartz", WorkerId = "refire-w1" });
            await worker.StartAsync();

            // Each run's result write fails, then its put-back: the firing waits and runs the task again.
            await Poll.UntilAsync(() => fixture.Probe.ExecutionsOf(task.Id).Count >= 2, "the firing ran the task again");

            Assert.Equal(1L, await fixture.CountRowsAsync("triggers", task.Id)); // still the enqueue's trigger, held by the firing

            await DropAsync(results, triggers);
            Assert.Equal(TaskResultStatus.Succeeded, (await queue.WaitAsync(task.Id, TimeSpan.FromSeconds(30))).Status);
        }
        finally
        {
            await DropAsync(results, triggers);
        }

        Assert.Equal(0L, await fixture.CountRowsAsync("triggers", task.Id));
    }

    private async Task DropAsync(string results, string triggers) => await fixture.ExecuteAsync($"""
        DROP TRIGGER IF EXISTS refuse_outage ON {results}; DROP TRIGGER IF EXISTS refuse_outage ON {triggers};
        DROP FUNCTION IF EXISTS {fixture.Settings.TablePrefix}refuse_result(); DROP FUNCTION IF EXISTS {fixture.Settings.TablePrefix}refuse_trigger();
        """);
}
