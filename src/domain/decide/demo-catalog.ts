/** A believable catalogue for a car brand's demo: it seeds the demo tenant and drives the scenario tests. */
import type { ActionInput } from "./action";

export const DEMO_CATALOG_VERSION = "demo-1";

export const DEMO_CATALOG: readonly ActionInput[] = [
  {
    id: "lease-renewal",
    kind: "offer",
    category: "sales",
    rule: { lease_ends_within: [180] },
    value: 4000,
    lever: 1.2,
    intrusiveness: "medium",
    newVehicleSales: true,
    caps: { perWeek: 2, perMonth: 4, perChannel: { email: { perWeek: 1 } } },
    prior: { alpha: 2, beta: 40 },
    channels: {
      dealer_site: {
        title: "Your lease ends in {{gates.leaseEndsIn}}",
        body: "See renewal options for your {{vehicle.model}} at {{dealer.name}}: new models, loyalty pricing and an easy return.",
        cta: "See renewal options",
      },
      email: {
        subject: "Your lease ends in {{gates.leaseEndsIn}}: let's plan what's next",
        body: "Your {{vehicle.model}} lease ends in {{gates.leaseEndsIn}}. {{dealer.name}} can walk you through renewing, buying out or returning, whenever suits you.",
      },
      app: {
        title: "Lease ending in {{gates.leaseEndsIn}}",
        body: "Compare renewal options for your {{vehicle.model}}.",
        cta: "Compare options",
      },
      in_vehicle: {
        text: "Your lease ends in {{gates.leaseEndsIn}}. Want {{dealer.name}} to send renewal options to your phone?",
        buttons: ["Send options", "Not now"],
      },
      service_lane: {
        title: "Lease ends in {{gates.leaseEndsIn}}",
        body: "Offer a renewal walk-through while the {{vehicle.model}} is in for service.",
        cta: "Start renewal quote",
      },
    },
  },
  {
    id: "loyalty-upgrade",
    kind: "offer",
    category: "sales",
    rule: {
      or: [
        { loan_payoff_inquiry_seen: [] },
        { and: [{ "!=": [{ var: "gates.loanEndsInDays" }, null] }, { "<=": [{ var: "gates.loanEndsInDays" }, 90] }] },
      ],
    },
    value: 5000,
    intrusiveness: "medium",
    newVehicleSales: true,
    caps: { perWeek: 1, perMonth: 3 },
    prior: { alpha: 2, beta: 50 },
    channels: {
      dealer_site: {
        title: "A loyalty bonus for {{vehicle.model}} owners",
        body: "Owners qualify for $1,000 toward a new model at {{dealer.name}}. See what's new this season.",
        cta: "See loyalty offers",
      },
      email: {
        subject: "$1,000 loyalty bonus for {{vehicle.model}} owners",
        body: "Thank you for driving with us. As an owner you qualify for $1,000 toward your next new model at {{dealer.name}}.",
      },
      app: { title: "Owner loyalty bonus", body: "$1,000 toward your next new model.", cta: "See offers" },
      service_lane: {
        title: "Owner loyalty bonus",
        body: "Mention the $1,000 owner loyalty bonus toward a new model.",
        cta: "Open loyalty offer",
      },
    },
  },
  {
    id: "ev-charging-tips",
    kind: "content",
    category: "info",
    rule: null,
    powertrains: ["ev", "phev"],
    value: 40,
    intrusiveness: "low",
    caps: { perMonth: 2 },
    channels: {
      app: {
        title: "Charge for less",
        body: "Scheduled charging at off-peak hours can cut your charging cost.",
        cta: "Set a schedule",
      },
      email: {
        subject: "Three ways to charge your {{vehicle.model}} for less",
        body: "Scheduled off-peak charging, home charger rebates and public charging plans: a quick guide.",
      },
      in_vehicle: {
        text: "Tip: scheduled off-peak charging can lower your cost. Set it up in the app later.",
        buttons: ["Remind me"],
      },
      dealer_site: {
        title: "Charging made simple",
        body: "Home chargers, public networks and off-peak schedules for your {{vehicle.model}}.",
        cta: "Read the guide",
      },
    },
  },
  {
    id: "oil-change",
    // issue 10: a real service reminder — where the person books (email, app, dealer site) it carries 2–3 open slots
    // with booking links, and without capacity in the horizon it is not offered.
    kind: "service_reminder",
    category: "service",
    // offBrandService: service_due also holds when an off-brand car's oil change is due (any make, at this dealer).
    rule: { or: [{ service_due: [] }, { ">=": [{ var: "gates.daysSinceService" }, 180] }] },
    powertrains: ["ice", "hybrid", "phev"],
    offBrandService: true,
    value: 90,
    intrusiveness: "low",
    caps: { perWeek: 1, perMonth: 2 },
    channels: {
      email: {
        subject: "$20 off your next oil change: {{slots.count}} open times at {{slots.dealer}}",
        body: "Book an oil and filter change at {{slots.dealer}}, any make. The first open time is {{slots.first}}; pick one below and one click books it.",
      },
      app: {
        title: "$20 off an oil change",
        body: "Any make, at {{slots.dealer}}: first open {{slots.first}}.",
        cta: "Book a slot",
      },
      dealer_site: {
        title: "Oil change special",
        body: "$20 off an oil and filter change for any make at {{dealer.name}}.",
        cta: "Book now",
      },
      service_lane: {
        title: "Oil change due",
        body: "Offer the $20 oil change special while the vehicle is here.",
        cta: "Add to order",
      },
    },
    locales: {
      de: {
        channels: {
          email: {
            subject: "20 $ Rabatt auf den nächsten Ölwechsel: {{slots.count}} freie Termine bei {{slots.dealer}}",
            body: "Ölwechsel mit Filter bei {{slots.dealer}}, jede Marke. Der erste freie Termin ist {{slots.first}}; ein Klick bucht ihn.",
          },
        },
      },
    },
  },
  {
    id: "service-due-reminder",
    kind: "service_reminder",
    category: "service",
    rule: { service_due: [] },
    value: 250,
    intrusiveness: "low",
    caps: { perWeek: 2 },
    channels: {
      email: {
        subject: "Your {{vehicle.model}} is due for {{gates.nextServiceKind}}",
        body: "Book a time at {{slots.dealer}}: {{slots.count}} open slots, the first {{slots.first}}, are one click away.",
      },
      app: {
        title: "{{gates.nextServiceKind}} due in {{gates.serviceDueInDays}} days",
        body: "Pick a slot at {{dealer.name}}.",
        cta: "Book a slot",
      },
      in_vehicle: {
        text: "Your {{vehicle.model}} is due for {{gates.nextServiceKind}}. You can book later from the app.",
        buttons: ["Remind me later"],
      },
      service_lane: {
        title: "{{gates.nextServiceKind}} due",
        body: "Due in {{gates.serviceDueInDays}} days: offer to do it today.",
        cta: "Add to order",
      },
      dealer_site: {
        title: "Time for {{gates.nextServiceKind}}",
        body: "Your {{vehicle.model}} is due soon. Book online in a minute.",
        cta: "Book service",
      },
    },
    locales: {
      de: {
        channels: {
          email: {
            subject: "Ihr {{vehicle.model}}: {{gates.nextServiceKind}} steht an",
            body: "Buchen Sie bei {{slots.dealer}}: {{slots.count}} freie Termine, der erste am {{slots.first}}, mit einem Klick.",
          },
        },
      },
    },
  },
  {
    id: "brake-service",
    kind: "offer",
    category: "service",
    rule: {
      and: [{ var: "gates.expensiveServiceAhead" }, { "==": [{ var: "gates.nextServiceKind" }, "brake_service"] }],
    },
    value: 640,
    intrusiveness: "medium",
    caps: { perWeek: 1 },
    channels: {
      email: {
        subject: "Brake service: 10% off this month",
        body: "Your {{vehicle.model}} has brake service coming up. Book at {{dealer.name}} this month for 10% off.",
      },
      app: { title: "10% off brake service", body: "Book this month at {{dealer.name}}.", cta: "Book" },
      dealer_site: {
        title: "Brake service special",
        body: "10% off brake service at {{dealer.name}} this month.",
        cta: "Book brake service",
      },
      service_lane: {
        title: "Brakes coming due",
        body: "Quote the 10% brake special; pads and rotors inspection included.",
        cta: "Quote brakes",
      },
    },
  },
  {
    id: "recall-notice",
    kind: "safety_recall",
    category: "safety",
    rule: { open_recall: [] },
    value: 1000,
    lever: 3,
    intrusiveness: "high",
    channels: {
      email: {
        subject: "Safety recall for your {{vehicle.model}}: free repair",
        body: "A safety recall applies to your {{vehicle.model}}. The repair is free; book it with {{dealer.name}}.",
      },
      app: {
        title: "Safety recall: free repair",
        body: "A safety recall applies to your {{vehicle.model}}.",
        cta: "Book the repair",
      },
      in_vehicle: {
        text: "Safety recall on this vehicle: the repair is free. Book it with {{dealer.name}} from the app.",
        buttons: ["Remind me"],
      },
      dealer_site: {
        title: "Safety recall: free repair",
        body: "Your {{vehicle.model}} has an open safety recall. Book the free repair.",
        cta: "Book the repair",
      },
      service_lane: {
        title: "Open safety recall",
        body: "Perform the recall repair during this visit if parts are in stock.",
        cta: "Open recall",
      },
      web_configurator: {
        title: "Safety recall: free repair",
        body: "Your {{vehicle.model}} has an open safety recall.",
        cta: "Book the repair",
      },
    },
  },
  {
    id: "software-update",
    kind: "content",
    category: "info",
    rule: { var: "gates.updateAvailable" },
    value: 60,
    intrusiveness: "low",
    caps: { perWeek: 1 },
    channels: {
      in_vehicle: {
        text: "A software update is ready for your {{vehicle.model}}. Install it next time you park for 20 minutes.",
        buttons: ["Schedule", "Later"],
      },
      app: {
        title: "Software update ready",
        body: "New features and fixes for your {{vehicle.model}}.",
        cta: "See what's new",
      },
      email: {
        subject: "A software update is ready for your {{vehicle.model}}",
        body: "Install it next time you park for 20 minutes; here is what's new.",
      },
    },
  },
  {
    id: "test-drive-configured",
    kind: "test_drive",
    category: "sales",
    rule: { model_configured_recently: [30] },
    value: 1500,
    intrusiveness: "medium",
    newVehicleSales: true,
    caps: { perWeek: 3 },
    channels: {
      web_configurator: {
        title: "Drive the {{gates.configuredModel}} you built",
        body: "Book a test drive at {{dealer.name}}; we'll have your build ready.",
        cta: "Book a test drive",
      },
      dealer_site: {
        title: "Test drive the {{gates.configuredModel}}",
        body: "Your build is saved. Pick a time at {{dealer.name}}.",
        cta: "Pick a time",
      },
      email: {
        subject: "Ready to drive the {{gates.configuredModel}}?",
        body: "Your build is saved. Book a test drive at {{dealer.name}} in two clicks.",
      },
      app: { title: "Test drive the {{gates.configuredModel}}", body: "Your build is saved.", cta: "Book" },
    },
  },
  {
    id: "book-test-drive",
    kind: "test_drive",
    category: "sales",
    rule: { "!!": [{ var: "context.model" }] },
    value: 800,
    intrusiveness: "low",
    channels: {
      web_configurator: {
        title: "See the {{context.model}} in person",
        body: "Book a test drive at a dealer near you.",
        cta: "Book a test drive",
      },
      dealer_site: {
        title: "Test drive the {{context.model}}",
        body: "Pick a time that suits you at {{dealer.name}}.",
        cta: "Pick a time",
      },
    },
  },
  {
    id: "service-survey",
    kind: "survey",
    category: "info",
    rule: {
      and: [{ "!=": [{ var: "gates.daysSinceService" }, null] }, { "<=": [{ var: "gates.daysSinceService" }, 14] }],
    },
    value: 20,
    intrusiveness: "low",
    caps: { perMonth: 1 },
    channels: {
      email: {
        subject: "How was your visit to {{dealer.name}}?",
        body: "Two questions, one minute. Your words go straight to the service manager.",
      },
      app: { title: "How was your visit?", body: "Two questions, one minute.", cta: "Answer" },
    },
  },
  {
    id: "service-recovery",
    kind: "content",
    category: "service",
    rule: { var: "gates.openComplaint" },
    value: 500,
    lever: 1.5,
    intrusiveness: "low",
    channels: {
      service_lane: {
        title: "Priority care",
        body: "Greet personally, offer a courtesy inspection and a loaner car; the service manager follows up today.",
        cta: "Open customer case",
      },
      email: {
        subject: "We'd like to make things right",
        body: "The service manager at {{dealer.name}} will call you personally. Your next visit includes a loaner car.",
      },
    },
  },
  {
    id: "offbrand-tire-service",
    kind: "offer",
    category: "service",
    rule: { ">": [{ var: "gates.offBrandVehicles" }, 0] },
    offBrandService: true,
    value: 300,
    intrusiveness: "low",
    caps: { perMonth: 2 },
    channels: {
      email: {
        subject: "Tires for every car in your driveway",
        body: "{{dealer.name}} fits and balances tires for every make. Book a seasonal tire change.",
      },
      dealer_site: {
        title: "Tires for every make",
        body: "Seasonal tire change and storage at {{dealer.name}}, whatever you drive.",
        cta: "Book a tire change",
      },
      service_lane: {
        title: "Other cars at home?",
        body: "Offer tire service for the household's other vehicles, any make.",
        cta: "Quote tires",
      },
    },
  },
  {
    id: "trade-in-appraisal",
    kind: "offer",
    category: "sales",
    rule: { or: [{ positive_equity: [] }, { warranty_ends_within: [90] }] },
    value: 2500,
    intrusiveness: "medium",
    newVehicleSales: true,
    caps: { perWeek: 1, perMonth: 2 },
    channels: {
      dealer_site: {
        title: "What's your {{vehicle.model}} worth?",
        body: "Get a free trade-in appraisal at {{dealer.name}} in 20 minutes.",
        cta: "Get an appraisal",
      },
      email: {
        subject: "What's your {{vehicle.model}} worth today?",
        body: "A free 20-minute trade-in appraisal at {{dealer.name}}, no obligation.",
      },
      web_configurator: {
        title: "Trade in your {{vehicle.model}}",
        body: "Get a trade-in estimate to use toward your build.",
        cta: "Estimate my trade-in",
      },
      service_lane: {
        title: "Trade-in appraisal",
        body: "Offer a free appraisal while the {{vehicle.model}} is in the shop.",
        cta: "Start appraisal",
      },
    },
  },
];
