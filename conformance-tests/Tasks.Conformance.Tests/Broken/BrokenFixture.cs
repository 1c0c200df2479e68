namespace Tasks.Conformance.Tests.Broken;

/// <summary>A fixture over a <see cref="BrokenBackend"/>; short timeouts so the expected failures come quickly.</summary>
public sealed class BrokenFixture(Defect defect) : TaskBackendFixture
{
    private BrokenBackend _backend = new(BackendAlias, defect);

    public override BackendTraits Traits { get; } = new()
    {
        InProcessOnlyReason = "a deliberately broken in-memory backend",
        TaskTimeout = TimeSpan.FromSeconds(5),
        LoadTimeout = TimeSpan.FromSeconds(15),
    };

    public override void AddBackend(TasksBuilder tasks) => tasks.AddBackend(BackendAlias, (_, _) => _backend);

    public override Task ResetAsync()
    {
        _backend = new BrokenBackend(BackendAlias, defect);
        return Task.CompletedTask;
    }
}
