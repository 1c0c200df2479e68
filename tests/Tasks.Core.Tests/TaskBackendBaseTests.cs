using Tasks.Backends;
using Tasks.Core.Tests.Support;

namespace Tasks.Core.Tests;

/// <summary><see cref="TaskBackendBase"/>: results exist before dispatch, are removed when dispatch fails, and cancel is compare-and-set.</summary>
public sealed class TaskBackendBaseTests
{
    private sealed class FlakyBackend(string alias) : TaskBackendBase(alias, new InMemoryTaskResultStore())
    {
        public bool Down { get; set; }

        public List<string> ResultsSeenAtDispatch { get; } = [];

        public List<string> CancelledIds { get; } = [];

        public override TaskBackendCapabilities Capabilities => TaskBackendCapabilities.All;

        public override async Task DispatchAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken = default)
        {
            foreach (var e in envelopes)
            {
                // The result must already exist, so a fast worker always finds it.
                if (await Results.FindAsync(e.Id, cancellationToken) is not null)
                {
                    ResultsSeenAtDispatch.Add(e.Id);
                }
            }

            if (Down)
            {
                throw new TaskBackendUnavailableException(Alias, "enqueue", new IOException("connection refused"));
            }
        }

        protected override Task OnCancelledAsync(string id, CancellationToken cancellationToken)
        {
            CancelledIds.Add(id);
            return Task.CompletedTask;
        }
    }

    private static TestHost Host() => TestHost.Create(t =>
    {
        t.AddBackend("flaky", (_, a) => new FlakyBackend(a));
        t.AddTask<Work, WorkHandler>("work");
    });

    [Fact]
    public async Task The_Ready_result_is_stored_before_the_engine_gets_the_envelope()
    {
        await using var host = Host();
        var backend = host.Backend<FlakyBackend>("flaky");

        var result = await host.Queue.EnqueueAsync(new Work("x"));

        Assert.Equal([result.Id], backend.ResultsSeenAtDispatch);
    }

    [Fact]
    public async Task A_failed_dispatch_leaves_no_phantom_Ready_result_and_surfaces_the_unavailable_error()
    {
        await using var host = Host();
        var backend = host.Backend<FlakyBackend>("flaky");
        backend.Down = true;

        var ex = await Assert.ThrowsAsync<TaskBackendUnavailableException>(() => host.Queue.EnqueueManyAsync([new Work("a"), new Work("b")]));

        Assert.Equal("flaky", ex.Backend);
        Assert.Equal("Backend 'flaky' is unavailable; enqueue did not happen: connection refused", ex.Message);
        Assert.IsType<IOException>(ex.InnerException);
        Assert.Equal(2, backend.ResultsSeenAtDispatch.Count);
        Assert.Equal(0, ((InMemoryTaskResultStore)backend.Results).Count);
        foreach (var id in backend.ResultsSeenAtDispatch)
        {
            await Assert.ThrowsAsync<TaskNotFoundException>(() => host.Queue.GetResultAsync(id));
        }
    }

    [Fact]
    public async Task Cancel_marks_the_result_and_tells_the_engine_once()
    {
        await using var host = Host();
        var backend = host.Backend<FlakyBackend>("flaky");
        var result = await host.Queue.EnqueueAsync(new Work("x"));

        Assert.True(await host.Queue.CancelAsync(result.Id));
        Assert.False(await host.Queue.CancelAsync(result.Id));

        Assert.Equal([result.Id], backend.CancelledIds);
        var cancelled = await host.Queue.GetResultAsync(result.Id);
        Assert.Equal(TaskResultStatus.Cancelled, cancelled.Status);
        Assert.Equal(result.Version + 1, cancelled.Version);
    }

    [Fact]
    public async Task Cancel_refuses_a_started_task_and_stale_versions_cannot_overwrite()
    {
        var backend = new RecordingTaskBackend("rec");
        var result = await backend.EnqueueAsync(new TaskEnvelope { Id = Guid.NewGuid().ToString(), TaskName = "t", Queue = "q", Arguments = "{}" });

        // A worker moves it to Running; a write based on the older version (a racing cancel) is refused.
        var running = result with { Status = TaskResultStatus.Running, Version = result.Version + 1 };
        Assert.True(await backend.Results.TryUpdateAsync(running, result.Version));
        Assert.False(await backend.Results.TryUpdateAsync(result with { Status = TaskResultStatus.Cancelled, Version = result.Version + 1 }, result.Version));

        Assert.False(await backend.CancelAsync(result.Id));
        Assert.Equal(TaskResultStatus.Running, (await backend.GetResultAsync(result.Id)).Status);
    }

    [Fact]
    public void An_empty_alias_is_refused()
    {
        Assert.ThrowsAny<ArgumentException>(() => new RecordingTaskBackend(""));
    }
}
