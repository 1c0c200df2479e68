using Tasks.Hangfire;
using Tasks.MassTransit;
using Tasks.Quartz;
using Tasks.Redis;
namespace Tasks.Cli;

/// <summary>Every backend type the tool can open from configuration.</summary>
internal static class KnownBackendTypes
{
    public static TasksBuilder AddKnownBackendTypes(this TasksBuilder tasks) => tasks
        .AddRedisBackendType()
        .AddHangfireBackendType()
        .AddQuartzBackendType()
        .AddMassTransitBackendType();
}
