using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tasks.Backends;
using Tasks.Diagnostics;
using Tasks.Execution;

namespace Tasks;

/// <summary>Registers the task library.</summary>
public static class TasksServiceCollectionExtensions
{
    /// <summary>
    /// Adds the task queue, registry, pipeline and workers host, and runs <paramref name="configure"/>. Safe to call
    /// several times (a library adds its tasks, the application its backends).
    /// </summary>
    public static IServiceCollection AddTasks(this IServiceCollection services, Action<TasksBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var settings = services.FirstOrDefault(d => d.ServiceType == typeof(TasksSettings))?.ImplementationInstance as TasksSettings;
        if (settings is null)
        {
            settings = new TasksSettings();
            services.AddSingleton(settings);
            services.TryAddSingleton(sp => new TaskRegistry(sp.GetServices<TaskDefinition>()));
            services.TryAddSingleton(sp => new TasksInstrumentation(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
            services.TryAddSingleton(sp => new TaskObservers(sp.GetServices<ITaskObserver>(), Logger<TaskObservers>(sp)));
            services.TryAddSingleton<ITaskSerializer>(sp => sp.GetRequiredService<TasksSettings>().Serializer);
            services.TryAddSingleton<ITaskBackendProvider>(sp => new TaskBackendProvider(
                sp,
                sp.GetRequiredService<TasksSettings>(),
                sp.GetServices<TaskBackendRegistration>(),
                sp.GetServices<TaskBackendTypeRegistration>(),
                sp.GetRequiredService<TaskRegistry>()));
            services.TryAddSingleton(sp => new TaskExecutor(
                sp.GetRequiredService<TaskRegistry>(),
                sp.GetRequiredService<TasksSettings>().Serializer,
                sp.GetRequiredService<IServiceScopeFactory>(),
                sp.GetRequiredService<TasksInstrumentation>(),
                sp.GetRequiredService<TaskObservers>(),
                Logger<TaskExecutor>(sp),
                Time(sp)));
            services.TryAddSingleton<ITaskQueue>(sp => new TaskQueue(
                sp.GetRequiredService<TaskRegistry>(),
                sp.GetRequiredService<ITaskBackendProvider>(),
                sp.GetRequiredService<TasksSettings>(),
                sp.GetRequiredService<TasksInstrumentation>(),
                sp.GetRequiredService<TaskObservers>(),
                Logger<TaskQueue>(sp),
                Time(sp)));
            services.TryAddSingleton(sp => new Migration.TaskMigrator(sp.GetRequiredService<ITaskBackendProvider>(), Logger<Migration.TaskMigrator>(sp)));
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TaskWorkerHostedService>(sp => new TaskWorkerHostedService(
                sp.GetRequiredService<ITaskBackendProvider>(),
                sp.GetRequiredService<TasksSettings>(),
                sp.GetServices<TaskWorkerRegistration>(),
                sp)));

            var builtIn = new TasksBuilder(services, settings);
            builtIn.AddBackendType(InMemoryTaskBackend.TypeName, (sp, alias, _) => new InMemoryTaskBackend(alias, sp.GetService<TimeProvider>()));
            builtIn.AddBackendType(ImmediateTaskBackend.TypeName, (sp, alias, _) => new ImmediateTaskBackend(alias, sp, sp.GetService<TimeProvider>()));
            builtIn.AddBackendType(RecordingTaskBackend.TypeName, (sp, alias, _) => new RecordingTaskBackend(alias, sp.GetService<TimeProvider>()));
        }

        configure?.Invoke(new TasksBuilder(services, settings));
        return services;
    }

    private static ILogger<T> Logger<T>(IServiceProvider sp) => sp.GetService<ILogger<T>>() ?? NullLogger<T>.Instance;

    private static TimeProvider Time(IServiceProvider sp) => sp.GetService<TimeProvider>() ?? TimeProvider.System;
}
