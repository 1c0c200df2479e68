using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Conformance;

public abstract partial class TaskBackendConformanceTests<TFixture>
{
    /// <summary>A failing task ends Failed with type, message and stack; the worker goes on to the next task.</summary>
    [Fact]
    public async Task Failing_task_records_failure_and_worker_keeps_going()
    {
        var host = Host("app");
        await host.StartWorkerAsync(o => o.Concurrency = 1);

        var failing = await host.Queue.EnqueueAsync(ConformanceTaskNames.FailOnce, new FailArgs("boom ✗", 100));
        var next = await host.Queue.EnqueueAsync(new RecordArgs("after failure"));

        var failed = await FinishedAsync(host, failing.Id);
        Assert.Equal(TaskResultStatus.Failed, failed.Status);
        var error = Assert.Single(failed.Errors);
        Assert.Equal(typeof(ConformanceException).FullName, error.ExceptionType);
        Assert.Equal("boom ✗", error.Message);
        Assert.Contains(nameof(FailHandler), error.StackTrace, StringComparison.Ordinal);
        Assert.Equal(1, error.Attempt);
        Assert.Equal(1, failed.Attempts);
        Assert.NotNull(failed.FinishedAt);
        Assert.Throws<TaskResultNotReadyException>(() => failed.GetReturnValue<int>());
        Assert.Equal(TaskResultStatus.Succeeded, (await FinishedAsync(host, next.Id)).Status);
    }

    /// <summary>Retries: attempts counted once each, backoff respected, final failure recorded.</summary>
    [Fact]
    public async Task Retries_count_attempts_respect_backoff_and_record_final_failure()
    {
        var host = Host("app");
        await host.StartWorkerAsync();

        var always = await host.Queue.EnqueueAsync(ConformanceTaskNames.Retry, new FailArgs("always", 100));
        var once = await host.Queue.EnqueueAsync(ConformanceTaskNames.Retry, new FailArgs("once", 1));

        var failed = await FinishedAsync(host, always.Id);
        Assert.Equal(TaskResultStatus.Failed, failed.Status);
        Assert.Equal(ConformanceTaskNames.RetryAttempts, failed.Attempts);
        Assert.Equal(Enumerable.Range(1, ConformanceTaskNames.RetryAttempts), failed.Errors.Select(e => e.Attempt));
        var runs = Probe.ExecutionsOf(always.Id);
        Assert.Equal(ConformanceTaskNames.RetryAttempts, runs.Count); // engine retries would double this
        Assert.Equal(Enumerable.Range(1, ConformanceTaskNames.RetryAttempts), runs.Select(r => r.Attempt));
        for (var i = 1; i < runs.Count; i++)
        {
            var gap = runs[i].At - runs[i - 1].At;
            Assert.True(gap >= ConformanceTaskNames.RetryDelay - TimeSpan.FromMilliseconds(50), $"attempt {i + 1} came {gap.TotalMilliseconds} ms after attempt {i}, before the {ConformanceTaskNames.RetryDelay.TotalMilliseconds} ms backoff");
        }

        var recovered = await FinishedAsync(host, once.Id);
        Assert.Equal(TaskResultStatus.Succeeded, recovered.Status);
        Assert.Equal(2, recovered.Attempts);
        Assert.Equal(2, recovered.GetReturnValue<int>());
        Assert.Single(recovered.Errors);
        Assert.Equal(2, Probe.ExecutionsOf(once.Id).Count);
    }

    /// <summary>An attempt past its timeout fails with the timeout error, even if the handler ignores its token.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Task_past_its_timeout_fails_with_timeout_error(bool handlerIgnoresCancellation)
    {
        var host = Host("app");
        await host.StartWorkerAsync();

        var enqueued = await host.Queue.EnqueueAsync(ConformanceTaskNames.Timeout, new SleepArgs(5_000, handlerIgnoresCancellation));
        var result = await FinishedAsync(host, enqueued.Id);

        Assert.Equal(TaskResultStatus.Failed, result.Status);
        Assert.Equal(typeof(TaskTimeoutException).FullName, Assert.Single(result.Errors).ExceptionType);
        Assert.True(result.FinishedAt - result.StartedAt < TimeSpan.FromSeconds(4), "the attempt was abandoned at its timeout, not after the handler's 5 s");
        var next = await host.Queue.EnqueueAsync(new RecordArgs("after timeout"));
        Assert.Equal(TaskResultStatus.Succeeded, (await FinishedAsync(host, next.Id)).Status);
    }
}
