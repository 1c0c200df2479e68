using Hangfire.InMemory;
using Tasks.Conformance;

namespace Tasks.Hangfire.Tests.InMemory;

/// <summary>Hangfire + Hangfire.InMemory: every host of a test shares one InMemoryStorage, as the threads of one process would.</summary>
public sealed class HangfireInMemoryFixture : TaskBackendFixture
{
    private InMemoryStorage _storage = new();

    public override BackendTraits Traits { get; } = new()
    {
        ExactlyOnce = true,
        RunAfterTolerance = TimeSpan.FromSeconds(3),
        InProcessOnlyReason = "Hangfire.InMemory keeps jobs and results in the memory of one process: a killed process takes its storage with it, as the adapter README says.",
    };

    public override void AddBackend(TasksBuilder tasks) => tasks.AddHangfireBackend(BackendAlias, o =>
    {
        o.JobStorage = _storage;
        o.SchedulePollingInterval = TimeSpan.FromMilliseconds(200);
    });

    public override Task ResetAsync()
    {
        var old = _storage;
        _storage = new InMemoryStorage();
        old.Dispose();
        return Task.CompletedTask;
    }

    public override Task DisposeAsync()
    {
        _storage.Dispose();
        return Task.CompletedTask;
    }
}
