// PLACEHOLDER: the access helper implements access_application.h and access_service.h here (and in more files).
