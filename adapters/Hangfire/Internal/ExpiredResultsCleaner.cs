using Hangfire.Server;
using Microsoft.Extensions.Logging;

namespace Tasks.Hangfire.Internal;

/// <summary>A Hangfire background process of every Tasks worker server: deletes expired results from stores the storage does not expire by itself.</summary>
internal sealed class ExpiredResultsCleaner(IHangfireResultStore store, TimeSpan interval, ILogger logger) : IBackgroundProcess
{
    public void Execute(BackgroundProcessContext context)
    {
        try
        {
            while (!context.IsStopping && store.PurgeExpiredAsync(context.StoppingToken).GetAwaiter().GetResult() > 0)
            {
                // Keep going while whole batches come back.
            }
        }
        catch (Exception ex) when (!context.IsStopping)
        {
            HangfireLog.PurgeFailed(logger, ex);
        }

        context.Wait(interval);
    }
}
