using Tasks.Backends;

namespace Tasks.Conformance.Tests.InMemory;

/// <summary>The built-in InMemory backend: every host of a test shares one instance, as threads of one process would.</summary>
public sealed class InMemoryFixture : TaskBackendFixture
{
    private InMemoryTaskBackend _backend = new(BackendAlias);

    public override BackendTraits Traits { get; } = new()
    {
        InProcessOnlyReason = "InMemory keeps tasks in the memory of one process; they end with that process, as the README says.",
    };

    public override void AddBackend(TasksBuilder tasks) => tasks.AddBackend(BackendAlias, (_, _) => _backend);

    public override Task ResetAsync()
    {
        _backend = new InMemoryTaskBackend(BackendAlias);
        return Task.CompletedTask;
    }
}
