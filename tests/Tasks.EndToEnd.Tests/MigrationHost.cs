using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tasks.Hangfire;
using Tasks.MassTransit;
using Tasks.Migration;
using Tasks.Quartz;
using Tasks.Redis;

namespace Tasks.EndToEnd.Tests;

/// <summary>An application with two backends, "from" and "to", configured only through configuration keys.</summary>
internal sealed class MigrationHost(Engine from, Engine to, string runId)
    : MigrationHostOverConfig(from.ConfigurationFor("from", runId + "f").Concat(to.ConfigurationFor("to", runId + "t")).Append(new("Tasks:DefaultBackend", "from")))
{
    /// <summary>Stops the application, then removes both engines' data of this run from the test servers.</summary>
    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await EngineCleanup.RemoveAsync(from, runId + "f");
        await EngineCleanup.RemoveAsync(to, runId + "t");
    }
}

/// <summary>An application whose backends come only from configuration keys.</summary>
internal class MigrationHostOverConfig : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public MigrationHostOverConfig(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings)
            .Build();
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IConfiguration>(configuration);
        services.AddTasks(t => t
            .AddTask<MigrationItem, MigrationItemHandler>("migration.item", o => o.Queue = "mig")
            .AddRedisBackendType().AddHangfireBackendType().AddQuartzBackendType().AddMassTransitBackendType());
        _services = services.BuildServiceProvider();
    }

    public ITaskQueue Queue => _services.GetRequiredService<ITaskQueue>();

    public ITaskBackend Backend(string alias) => _services.GetRequiredService<ITaskBackendProvider>().Get(alias);

    public TaskMigrator Migrator => _services.GetRequiredService<TaskMigrator>();

    public async Task<List<TaskEnvelope>> PendingAsync(string alias)
    {
        var list = new List<TaskEnvelope>();
        await foreach (var e in ((IPendingTaskBackend)Backend(alias)).ListPendingAsync())
        {
            list.Add(e);
        }

        return list;
    }

    public virtual ValueTask DisposeAsync() => _services.DisposeAsync();
}
