using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Tasks.Conformance.Tests.Broken;

/// <summary>A suite that passes a broken backend is itself broken: each defect must fail the test that names it.</summary>
public sealed class BrokenBackendsAreCaughtTests(ITestOutputHelper output)
{
    public static TheoryData<Defect, string> Cases => new()
    {
        { Defect.IgnoresPriority, nameof(Suite.Backlog_runs_highest_priority_first_and_fifo_within_a_priority) },
        { Defect.RunsDelayedTasksAtOnce, nameof(Suite.Deferred_task_does_not_run_before_its_time_and_runs_promptly_after) },
        { Defect.DropsFailedTasks, nameof(Suite.Failing_task_records_failure_and_worker_keeps_going) },
        { Defect.RunsSomeTasksTwice, nameof(Suite.Many_tasks_over_three_workers_none_lost) },
        { Defect.LosesFinishedResults, nameof(Suite.Result_is_readable_from_another_client) },
        { Defect.LeaksTasksAcrossQueues, nameof(Suite.Worker_never_runs_tasks_of_queues_it_does_not_listen_to) },
        { Defect.PretendsToCancel, nameof(Suite.Cancelled_ready_task_never_runs) },
        { Defect.LosesSomeTasks, nameof(Suite.Many_tasks_over_three_workers_none_lost) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Conformance_test_fails_for_broken_backend(Defect defect, string test)
    {
        var failure = await RunAsync(defect, test);

        Assert.True(failure is not null, $"The conformance test {test} passed a backend that {defect}: the suite is broken.");
        output.WriteLine($"{defect} caught by {test}: {failure!.GetType().Name}: {failure.Message.Split('\n')[0]}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Same_test_passes_for_the_sound_backend(Defect defect, string test)
    {
        // The control: the same test on the same in-memory machinery without the defect passes, so it is the defect that is caught.
        _ = defect;
        var failure = await RunAsync(null, test);
        Assert.True(failure is null, $"{test} failed on the sound backend: {failure}");
    }

    private async Task<Exception?> RunAsync(Defect? defect, string test)
    {
        TaskBackendFixture fixture = defect is { } d ? new BrokenFixture(d) : new InMemory.InMemoryFixture();
        await fixture.InitializeAsync();
        var suite = new Suite(fixture, output);
        try
        {
            await suite.InitializeAsync();
            var method = typeof(Suite).GetMethod(test) ?? throw new InvalidOperationException($"No conformance test {test}.");
            await (Task)method.Invoke(suite, [])!;
            return null;
        }
        catch (Exception ex) when (ex is XunitException or TaskException or TimeoutException or InvalidOperationException)
        {
            return ex;
        }
        finally
        {
            await suite.DisposeAsync();
            await fixture.DisposeAsync();
        }
    }

    // Not public: xunit must not discover it as a test class of its own.
    internal sealed class Suite(TaskBackendFixture fixture, ITestOutputHelper output)
        : TaskBackendConformanceTests<TaskBackendFixture>(fixture, output);
}
