using Tasks;

namespace PagesApp;

/// <summary>Renders and "sends" the notification e-mail for one subscriber.</summary>
public sealed class NotifySubscriber(FolderMailSender mail) : ITaskHandler<NotifySubscriberArgs, string>
{
    public const string Name = "pages.notify-subscriber";

    public async Task<string> HandleAsync(NotifySubscriberArgs args, TaskContext context, CancellationToken cancellationToken)
    {
        var body = $"Hello subscriber {args.SubscriberId},\n\npage {args.PageId} \"{args.Title}\" was just published.";
        await mail.SendAsync($"page{args.PageId}-user{args.SubscriberId}", $"New page: {args.Title}", body, Guid.NewGuid().ToString("N"), cancellationToken);
        return $"sent to user {args.SubscriberId} on attempt {context.Attempt} by {context.WorkerId}";
    }
}
