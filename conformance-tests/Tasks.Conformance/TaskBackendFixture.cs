using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Conformance;

/// <summary>
/// What a backend author writes to run the suite: register the backend under <see cref="BackendAlias"/>, clear its
/// state between tests, declare its <see cref="Traits"/>, and (for engines shared across processes) say how to start
/// a worker process for the crash test.
/// </summary>
public abstract class TaskBackendFixture : IAsyncLifetime
{
    /// <summary>The alias every host registers the backend under.</summary>
    public const string BackendAlias = "conformance";

    /// <summary>Shared by all hosts of this fixture in this process.</summary>
    public ConformanceProbe Probe { get; } = new();

    /// <summary>What the backend promises beyond its capability flags.</summary>
    public virtual BackendTraits Traits { get; } = new();

    /// <summary>Registers the backend under <see cref="BackendAlias"/> (e.g. <c>tasks.AddBackend(BackendAlias, ...)</c>).</summary>
    public abstract void AddBackend(TasksBuilder tasks);

    /// <summary>Starts a worker for this backend in another process; see <see cref="ConformanceWorker"/>. <see langword="null"/> only with <see cref="BackendTraits.InProcessOnlyReason"/>.</summary>
    public virtual ProcessStartInfo? CreateWorkerProcess(string workerId) => null;

    /// <summary>Connects to servers etc. Fail here, with a message that says how to start a missing server.</summary>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Releases what <see cref="InitializeAsync"/> took.</summary>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Removes every task and result, so each test starts empty. Called before each test.</summary>
    public virtual Task ResetAsync() => Task.CompletedTask;

    /// <summary>Builds a host: the conformance tasks, the observer, the probe and the backend.</summary>
    public TaskHost CreateHost(string name)
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(Probe);
        services.AddTasks(tasks =>
        {
            tasks.AddConformanceTasks().AddObserver<ConformanceObserver>().UseDefaultBackend(BackendAlias);
            AddBackend(tasks);
        });
        ConfigureServices(services);
        return new TaskHost(services.BuildServiceProvider(validateScopes: true), name);
    }

    /// <summary>Adds anything else a host of this backend needs.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }
}
