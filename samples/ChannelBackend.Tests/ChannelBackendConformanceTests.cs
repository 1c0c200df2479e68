using Contoso.Tasks.Channels;
using Tasks;
using Tasks.Conformance;
using Xunit.Abstractions;

namespace ChannelBackend.Tests;

// The whole integration: one fixture, one one-line test class. This file is the README's example, verbatim.
public sealed class ChannelBackendFixture : TaskBackendFixture
{
    private ChannelTaskBackend _backend = new(BackendAlias);

    // In-process only: its tasks end with the process, so the crash test is declared not to apply, with the reason.
    public override BackendTraits Traits { get; } = new() { InProcessOnlyReason = "tasks live in this process's channels" };

    // Every host of a test shares the one backend instance, as threads of one process would.
    public override void AddBackend(TasksBuilder tasks) => tasks.AddBackend(BackendAlias, (_, _) => _backend);

    public override Task ResetAsync()
    {
        _backend = new ChannelTaskBackend(BackendAlias);
        return Task.CompletedTask;
    }
}

public sealed class ChannelBackendConformanceTests(ChannelBackendFixture fixture, ITestOutputHelper output)
    : TaskBackendConformanceTests<ChannelBackendFixture>(fixture, output);
