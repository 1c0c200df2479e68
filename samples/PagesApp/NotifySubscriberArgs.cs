namespace PagesApp;

/// <summary>One notification: which page, which subscriber.</summary>
public sealed record NotifySubscriberArgs(int PageId, string Title, int SubscriberId);
