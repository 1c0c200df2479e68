using Microsoft.Extensions.Logging;
using Tasks;

namespace QuickStart;

/// <summary>A task handler: resolved from DI for every attempt, so it can take any service.</summary>
public sealed class NotifySubscriber(ILogger<NotifySubscriber> logger) : ITaskHandler<PagePublished, string>
{
    public async Task<string> HandleAsync(PagePublished args, TaskContext context, CancellationToken cancellationToken)
    {
        await Task.Delay(50, cancellationToken); // pretend to render and send an e-mail
        if (args.Title.Contains("flaky", StringComparison.Ordinal) && context.Attempt == 1)
        {
            throw new InvalidOperationException("mail server busy (first attempt fails on purpose)");
        }

        logger.LogInformation("Sent '{Title}' to user {UserId} (attempt {Attempt})", args.Title, args.UserId, context.Attempt);
        return $"mail-{args.PageId}-{args.UserId}";
    }
}
