namespace Tasks;

/// <summary>Implemented by backends that can run workers in this process.</summary>
public interface ITaskWorkerFactory
{
    /// <summary>Creates a worker (not started) with <paramref name="options"/>; <paramref name="services"/> is the application's root provider.</summary>
    ITaskWorker CreateWorker(TaskWorkerOptions options, IServiceProvider services);
}
