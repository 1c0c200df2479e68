using Tasks.Hangfire;
using Tasks.MassTransit;
using Tasks.Quartz;
using Tasks.Redis;
using Tasks;

namespace PagesApp;

/// <summary>Every backend type this app can be switched to by configuration alone.</summary>
public static class KnownBackendTypes
{
    public static TasksBuilder AddKnownBackendTypes(this TasksBuilder tasks) => tasks
        .AddRedisBackendType()
        .AddHangfireBackendType()
        .AddQuartzBackendType()
        .AddMassTransitBackendType();
}
