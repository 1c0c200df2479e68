using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quartz;
using Tasks.Benchmarks.Harness;
using Tasks.Quartz;

namespace Tasks.Benchmarks.Rows;

/// <summary>
/// The native side of <see cref="QuartzRow"/>: Quartz.NET's own API on the same ADO.NET job store. Enqueue is
/// <c>IScheduler.ScheduleJob</c> of a job of a no-op <see cref="IJob"/> with a one-shot trigger due now (bulk:
/// <c>IScheduler.ScheduleJobs</c>) through a scheduler that is built but never started, as an enqueue-only process
/// holds one; the consumer is a started clustered scheduler with Concurrency threads. Both use the settings
/// <see cref="QuartzTaskBackend"/> uses by default (PostgreSQL, clustered with its check-in settings, idle wait 1 s,
/// job data as strings, misfire threshold 60 s), and the jobs are recoverable one-shot triggers that ignore misfires,
/// as the adapter's are. A job counts as succeeded when a job listener hears it executed without an exception.
/// </summary>
public sealed class QuartzNativeSide(SideContext context) : BenchmarkSide
{
    private readonly string _schema = QuartzBenchSchema.Name(context, "native");
    private readonly ILoggerFactory _loggerFactory = LoggerFactory.Create(l => l.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning));
    private bool _initialized;

    /// <inheritdoc />
    public override string Api => "Quartz IScheduler.ScheduleJob + IJob";

    /// <inheritdoc />
    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await QuartzBenchSchema.CreateAsync(context, _schema, cancellationToken).ConfigureAwait(false);
        _initialized = true;
    }

    /// <inheritdoc />
    public override Task ResetAsync(CancellationToken cancellationToken) => QuartzBenchSchema.TruncateAsync(context, _schema, cancellationToken);

    /// <inheritdoc />
    public override async Task<IBenchmarkProducer> CreateProducerAsync(CancellationToken cancellationToken)
    {
        // Never started: it only writes the job store, like the adapter's enqueue-side scheduler.
        var factory = Build($"client-{Guid.NewGuid():N}", 1, null);
        var scheduler = await factory.GetScheduler(cancellationToken).ConfigureAwait(false);
        return new Producer(factory, scheduler);
    }

    /// <inheritdoc />
    public override async Task<IAsyncDisposable> StartConsumerAsync(WorkCounter counter, CancellationToken cancellationToken)
    {
        var factory = Build($"bench-native-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}", context.Concurrency, counter);
        var scheduler = await factory.GetScheduler(cancellationToken).ConfigureAwait(false);
        await scheduler.Start(cancellationToken).ConfigureAwait(false);
        return new Consumer(factory, scheduler);
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (!context.InWorkerProcess && _initialized)
        {
            // The harness is done with this side: leave nothing of the run on the server.
            await BenchPostgres.DropSchemaAsync(context, _schema, CancellationToken.None).ConfigureAwait(false);
        }

        _loggerFactory.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A scheduler on this side's tables with the adapter's default settings; <paramref name="counter"/> only for the consumer.</summary>
    private StandaloneSchedulerFactory Build(string instanceId, int threads, WorkCounter? counter)
    {
        var defaults = new QuartzTaskBackendOptions();
        return QuartzSchedulerBuilder.Create(q =>
        {
            q.Services.AddSingleton(_loggerFactory);
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = "bench-native";
                s.InstanceId = instanceId;
                s.IdleWaitTime = defaults.PollInterval;
            });
            q.UseDefaultThreadPool(threads);
            q.UsePersistentStore(p =>
            {
                p.UsePostgres(context.Servers.RequirePostgres());
                p.ConfigureStore(s =>
                {
                    s.TablePrefix = QuartzBenchSchema.TablePrefix(_schema);
                    s.StoreJobDataAsStrings = true;
                    s.MisfireThreshold = defaults.MisfireThreshold;
                });
                p.UseClustering(c =>
                {
                    c.CheckinInterval = defaults.CheckinInterval;
                    c.CheckinMisfireThreshold = defaults.CheckinMisfireThreshold;
                });
            });
            if (counter is not null)
            {
                q.UseJobFactory(new QuartzNoopJob.Factory(counter));
                q.AddJobListener(new QuartzNoopJob.CountingListener(counter));
            }
        }).Build();
    }

    private static (IJobDetail Job, ITrigger Trigger) NewJob(long sent)
    {
        var job = JobBuilder.Create<QuartzNoopJob>()
            .WithIdentity(Guid.NewGuid().ToString(), "bench")
            .RequestRecovery(true)
            .UsingJobData(QuartzNoopJob.SentKey, sent.ToString(CultureInfo.InvariantCulture))
            .Build();
        var trigger = TriggerBuilder.Create()
            .ForJob(job)
            .StartNow()
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.IgnoreMisfires))
            .Build();
        return (job, trigger);
    }

    private sealed class Producer(StandaloneSchedulerFactory factory, IScheduler scheduler) : IBenchmarkProducer
    {
        public async Task EnqueueAsync(long sent, CancellationToken cancellationToken)
        {
            var (job, trigger) = NewJob(sent);
            await scheduler.ScheduleJob(job, trigger, default, cancellationToken).ConfigureAwait(false);
        }

        public async Task EnqueueManyAsync(int count, CancellationToken cancellationToken)
        {
            var batch = new Dictionary<IJobDetail, IReadOnlyCollection<ITrigger>>(count);
            for (var i = 0; i < count; i++)
            {
                var (job, trigger) = NewJob(0);
                batch.Add(job, [trigger]);
            }

            await scheduler.ScheduleJobs(batch, default, cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            await scheduler.Shutdown(waitForJobsToComplete: false, CancellationToken.None).ConfigureAwait(false);
            await factory.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class Consumer(StandaloneSchedulerFactory factory, IScheduler scheduler) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await scheduler.Shutdown(waitForJobsToComplete: true, CancellationToken.None).ConfigureAwait(false);
            await factory.DisposeAsync().ConfigureAwait(false);
        }
    }
}
